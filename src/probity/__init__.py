"""Probity: counter-corruption software for police professional standards."""

__version__ = "0.1.0"
