"""Workforce and person records loaded from a Force Extract (to show names to those entitled)."""
