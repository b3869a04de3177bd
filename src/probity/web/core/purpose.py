"""Stated purpose: asked once per record and session before anything identifying is shown.

The purpose is kept in the session (keyed by object type and id) and written with every
access log entry of that record.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

PURPOSE_MIN_LENGTH = 10
PURPOSE_MAX_LENGTH = 500
_SESSION_KEY = "probity_purposes"


def purpose_get(request: HttpRequest, *, object_type: str, object_id: int | str) -> str:
    purposes = request.session.get(_SESSION_KEY, {})
    return str(purposes.get(f"{object_type}:{object_id}", ""))


def purpose_clean(value: str) -> str | None:
    """The purpose, trimmed, or None when it is too short or too long to be a real reason."""
    text = " ".join(value.split())
    if PURPOSE_MIN_LENGTH <= len(text) <= PURPOSE_MAX_LENGTH:
        return text
    return None


def purpose_set(request: HttpRequest, *, object_type: str, object_id: int | str,
                purpose: str) -> None:
    purposes = dict(request.session.get(_SESSION_KEY, {}))
    purposes[f"{object_type}:{object_id}"] = purpose
    request.session[_SESSION_KEY] = purposes


def purpose_gate(request: HttpRequest, *, object_type: str, object_id: int | str,
                 summary: dict[str, object] | None = None) -> str | HttpResponse:
    """The stated purpose for this record, or the response asking for it.

    A POST carrying `stated_purpose` records it in the session and redirects back (GET)."""
    from django.shortcuts import redirect, render

    if request.method == "POST" and "stated_purpose" in request.POST:
        purpose = purpose_clean(request.POST.get("stated_purpose", ""))
        if purpose is not None:
            purpose_set(request, object_type=object_type, object_id=object_id, purpose=purpose)
            return redirect(request.path)
        error = (f"Enter why you need to open this {object_type.replace('_', ' ')} "
                 f"({PURPOSE_MIN_LENGTH} to {PURPOSE_MAX_LENGTH} characters)")
        return render(request, "core/purpose.html",
                      {"object_type": object_type.replace("_", " "), "summary": summary or {},
                       "error": error, "value": request.POST.get("stated_purpose", "")},
                      status=400)
    stated = purpose_get(request, object_type=object_type, object_id=object_id)
    if stated:
        return stated
    return render(request, "core/purpose.html",
                  {"object_type": object_type.replace("_", " "), "summary": summary or {}})
