"""Staff sign-in, sign-out, who am I, and their signed-in sessions."""
