"""A crisis in a session: start, steps, support persons, responders, private rooms, watch and escalation."""
