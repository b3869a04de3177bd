"""One exception hierarchy for everything Probity reports to a user."""

from __future__ import annotations


class ProbityError(Exception):
    """Base class: a problem a user can act on. The message says what and what to do."""

    exit_code = 1


class UsageError(ProbityError):
    """A command was called with arguments that cannot work."""

    exit_code = 2


class ExtractInvalid(ProbityError):
    """A Force Extract breaks the contract. Carries the full validation report."""

    exit_code = 2

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class ConfigurationError(ProbityError):
    """Settings are missing or contradictory (for example no secret key in production)."""

    exit_code = 3
