from __future__ import annotations

from django.urls import path

from probity.web.vetting_register import views

app_name = "vetting_register"
urlpatterns = [
    path("", views.compliance, name="compliance"),
    path("export.csv", views.compliance_csv, name="compliance_csv"),
    path("staff/", views.staff_list, name="staff_list"),
    path("posts/", views.posts, name="posts"),
    path("worklist/", views.worklist, name="worklist"),
    path("people/<str:staff_id>/", views.person, name="person"),
    path("people/<str:staff_id>/assessments/", views.assessment_new, name="assessment_new"),
    path("people/<str:staff_id>/assessments/action/", views.assessment_action,
         name="assessment_action"),
    path("people/<str:staff_id>/triggers/", views.trigger_new, name="trigger_new"),
    path("people/<str:staff_id>/triggers/close/", views.trigger_close, name="trigger_close"),
    path("people/<str:staff_id>/aftercare/", views.aftercare_new, name="aftercare_new"),
]
