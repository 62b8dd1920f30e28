"""A program's own settings: its time zone, office hours and crisis line."""
