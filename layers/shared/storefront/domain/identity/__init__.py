"""Identity: sign-up, sign-in, refresh-token rotation and password changes."""
