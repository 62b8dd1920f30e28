"""Monitoring between sessions: the client's daily check-ins and screeners, the risk rules run on every
submission, and the alerts they leave for a person to review."""
