"""The program's on-call roster."""
