"""Encrypted-app review of force devices: review items per device and app, decisions."""
from __future__ import annotations

from django.apps import AppConfig


class AppReviewConfig(AppConfig):
    name = "probity.web.app_review"
    label = "app_review"
    verbose_name = "Device app review"
