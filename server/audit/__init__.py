"""The tamper-evident audit trail: the chain, its keys and checkpoints, and the audit API."""
