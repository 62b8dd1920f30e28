"""Steadyline server package."""
