from __future__ import annotations

from django.urls import path

from probity.web.investigations import views

app_name = "investigations"
urlpatterns = [
    path("rules/", views.rules_view, name="rules"),
    path("<int:report_id>/", views.case, name="case"),
    path("<int:report_id>/log/", views.log_entry_new, name="log_entry"),
    path("<int:report_id>/severity/", views.severity, name="severity"),
    path("<int:report_id>/forum/", views.forum, name="forum"),
    path("<int:report_id>/departure/", views.departure, name="departure"),
    path("<int:report_id>/outcome/", views.outcome, name="outcome"),
    path("<int:report_id>/criminal/", views.criminal, name="criminal"),
    path("<int:report_id>/lists/", views.list_notification, name="list_notification"),
    path("<int:report_id>/safeguarding/", views.safeguarding, name="safeguarding"),
]
