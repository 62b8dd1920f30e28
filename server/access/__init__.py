"""Who is asking and what they may touch: policy, identity, tokens, passwords, links, abuse limits."""
