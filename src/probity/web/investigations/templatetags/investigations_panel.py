"""`{% outcomes_panel as panel %}`: the dashboard's outcomes figures for the signed-in viewer
(a template include needs no change to the dashboard view)."""

from __future__ import annotations

from typing import Any

from django import template

from probity.web.investigations.selectors import OutcomesPanel, outcomes_panel_for

register = template.Library()


@register.simple_tag(takes_context=True)
def outcomes_panel(context: dict[str, Any]) -> OutcomesPanel:
    return outcomes_panel_for(viewer=context["request"].user)
