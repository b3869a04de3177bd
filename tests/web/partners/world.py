"""Records the generated access-matrix test needs for the partners and app review URLs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any


def matrix_records(author: Any) -> dict[str, Any]:
    from probity.web.app_review.models import FindingsLoad, ReviewItem
    from probity.web.partners.models import Concern, Partner

    now = datetime.now(UTC)
    partner = Partner.objects.create(name="Matrix Refuge", partner_type="domestic_abuse_service",
                                     area="North", created_by=author, created_at=now)
    concern = Concern.objects.create(reference="PC-TEST-MATR-IX01", route="partner",
                                     received_at=now, organisation="Matrix Refuge",
                                     about="PC 123", narrative="A concern for the matrix test.")
    load = FindingsLoad.objects.create(source="report", source_path="matrix.csv", loaded_at=now,
                                       findings=1)
    item = ReviewItem.objects.create(device_id="D1", app_key="org.telegram.messenger",
                                     app_id="org.telegram.messenger", risk_class="social_messaging",
                                     found_on=date(2026, 1, 5), last_load=load)
    return {"partner_id": partner.pk, "concern_id": concern.pk, "item_id": item.pk}
