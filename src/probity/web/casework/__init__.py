"""Casework: corruption reports (intake, national category, 3x5x2), IOPC referral."""
