from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from probity.web.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    # login/ (password + TOTP) is in probity.web.accounts.urls
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
