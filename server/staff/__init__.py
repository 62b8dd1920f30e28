"""Staff sign-in, sign-out and who am I."""
