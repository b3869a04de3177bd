from __future__ import annotations

from django.urls import path

from probity.web.app_review import views

app_name = "app_review"
urlpatterns = [
    path("", views.coverage, name="coverage"),
    path("outstanding/", views.outstanding, name="outstanding"),
    path("trends/", views.trends, name="trends"),
    path("items/<int:item_id>/", views.item_detail, name="item"),
]
