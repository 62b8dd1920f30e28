"""A client as their care team manages them between sessions: their own therapist, how to reach
them, and their standing personal link."""
