"""Secure messaging between a client and their care team: one thread per client, encrypted at rest, read
receipts both ways, an urgent flag routed by office hours, and the self-harm word list run on the client's words."""
