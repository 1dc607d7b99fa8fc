"""Users: profiles, saved addresses, and the admin's control of roles and access."""
