from __future__ import annotations

from django.urls import path

from probity.web.casework import views

app_name = "casework"
urlpatterns = [
    path("", views.report_list_view, name="report_list"),
    path("new/", views.report_new, name="report_new"),
    path("<int:report_id>/", views.report_detail, name="report_detail"),
    path("<int:report_id>/referral/", views.report_referral, name="report_referral"),
    path("<int:report_id>/grant/", views.report_grant, name="report_grant"),
    path("<int:report_id>/referrals/", views.referral_new, name="referral_new"),
    path("<int:report_id>/referrals/<int:referral_id>/decision/", views.referral_decision,
         name="referral_decision"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
