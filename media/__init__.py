"""Steadyline media package."""
