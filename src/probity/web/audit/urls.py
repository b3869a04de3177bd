from __future__ import annotations

from django.urls import path

from probity.web.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.log, name="log"),
    path("verify/", views.verify, name="verify"),
    path("export.csv", views.export, name="export"),
]
