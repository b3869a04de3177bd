from __future__ import annotations

from django.urls import path

from probity.web.assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.year_view, name="year"),
    path("<int:year>/<slug:section>/", views.edit, name="edit"),
]
