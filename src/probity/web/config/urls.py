"""URL configuration: one include per domain app."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("probity.web.accounts.urls")),
    path("", include("probity.web.core.urls")),
    path("audit/", include("probity.web.audit.urls")),
    path("alerts/", include("probity.web.alerts.urls")),
    path("reports/", include("probity.web.casework.urls")),
    path("investigations/", include("probity.web.investigations.urls")),
    path("assessments/", include("probity.web.assessments.urls")),
    path("vetting/", include("probity.web.vetting_register.urls")),
    path("partners/", include("probity.web.partners.urls")),
    path("concerns/", include("probity.web.partners.concern_urls")),
    path("apps/", include("probity.web.app_review.urls")),
]
