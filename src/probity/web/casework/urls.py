from __future__ import annotations

from django.urls import path

from probity.web.casework import views

app_name = "casework"
urlpatterns = [
    path("", views.report_list, name="report_list"),
]
