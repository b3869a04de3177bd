"""Shared web foundation: base template, login, roles, health, navigation."""
