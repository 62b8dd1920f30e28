"""Reaching out between sessions: a client who missed a session becomes an outreach task for the care
team, and repeated misses are escalated to the clinical lead."""
