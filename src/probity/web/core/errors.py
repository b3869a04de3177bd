"""Errors the web services raise (all ProbityError, so the CLI prints them cleanly too)."""

from __future__ import annotations

from probity.errors import ProbityError


class NotPermitted(ProbityError):
    """The actor's role or need-to-know does not allow this action."""

    exit_code = 4


class InvalidInput(ProbityError):
    """Input failed validation; `errors` maps each field to what was expected. Nothing written."""

    exit_code = 2

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class InvalidTransition(ProbityError):
    """The record is not in a state that allows this action (for example already triaged)."""

    exit_code = 2
