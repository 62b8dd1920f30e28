"""Messages to people outside the call: e-mail and signed webhooks."""
