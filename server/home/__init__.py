"""The client's own page between sessions ("my Steadyline"): their plan, crisis lines, upcoming
sessions, and "I need help now" at any hour (an on-demand crisis room with the on-call clinician)."""
