"""Analytics public API: scan (and link, evaluate). Internals live in `internals/`.

    from probity.analytics import scan, ScanResult
    result = scan(open_extract("force/"))
"""

from probity.analytics.scan import REVIEW_NOTICE, ScanParams, ScanResult, Skipped, scan

__all__ = ["scan", "ScanResult", "ScanParams", "Skipped", "REVIEW_NOTICE"]
