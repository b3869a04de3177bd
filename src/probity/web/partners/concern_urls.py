"""Concern routes: /concerns/new and /concerns/add are public (no account)."""
from __future__ import annotations

from django.urls import path

from probity.web.partners import views

app_name = "concerns"
urlpatterns = [
    path("new", views.concern_new, name="new"),
    path("add", views.concern_add, name="add"),
    path("internal/", views.concern_internal, name="internal"),
    path("intake/", views.concern_intake_view, name="intake"),
    path("intake/<int:concern_id>/", views.concern_detail, name="detail"),
    path("intake/<int:concern_id>/record/", views.concern_record, name="record"),
]
