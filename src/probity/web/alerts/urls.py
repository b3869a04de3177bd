from __future__ import annotations

from django.urls import path

from probity.web.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:alert_id>/", views.detail, name="detail"),
    path("<int:alert_id>/decide/", views.decide, name="decide"),
    path("<int:alert_id>/watch/", views.watch, name="watch"),
    path("<int:alert_id>/watch/<int:entry_id>/end/", views.watch_end, name="watch_end"),
]
