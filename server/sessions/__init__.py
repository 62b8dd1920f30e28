"""Therapy sessions, their participants and join links."""
