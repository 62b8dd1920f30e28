"""Follow-up after a crisis."""
