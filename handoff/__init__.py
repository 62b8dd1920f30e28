"""Steadyline handoff package."""
