"""Who is asking and what they may touch: policy, tokens, passwords, staff sessions, abuse limits."""
