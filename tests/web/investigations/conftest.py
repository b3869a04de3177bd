"""The browser fixtures (Playwright with Debian's Chromium) for this folder's browser test."""

from __future__ import annotations

from ..browser.conftest import browser, page  # noqa: F401
