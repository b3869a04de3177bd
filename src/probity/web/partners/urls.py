from __future__ import annotations

from django.urls import path

from probity.web.partners import views

app_name = "partners"
urlpatterns = [
    path("", views.partner_list_view, name="list"),
    path("new/", views.partner_new, name="new"),
    path("<int:partner_id>/", views.partner_detail, name="detail"),
    path("<int:partner_id>/engagements/", views.engagement_new, name="engagement_new"),
]
