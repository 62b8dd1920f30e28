"""The clinicians' live dashboard: alerts, outreach tasks and messages pushed to the signed-in staff who
may see the client, on every node, as they happen."""
