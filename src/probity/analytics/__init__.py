"""Analytics public API: scan (and link, evaluate). Internals live in `internals/`.

    from probity.analytics import scan, ScanResult
    result = scan(open_extract("force/"))
"""

from probity.analytics.scan import REVIEW_NOTICE, ScanParams, ScanResult, Skipped, scan

__all__ = ["scan", "ScanResult", "ScanParams", "Skipped", "REVIEW_NOTICE"]

# --- link (staff to person records; owner: link) -------------------------------------------
from probity.analytics.link import LinkResult, link  # noqa: E402

__all__ += ["link", "LinkResult"]
