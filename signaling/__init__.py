"""Steadyline signaling package."""
