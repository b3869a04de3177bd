"""Accounts and security: two-factor sign-in, throttling, session ending, security headers."""
