"""View guards: anonymous users go to the login page; signed-in users without the
permission get 403 (and the refusal names nothing about the record)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

ViewFunc = Callable[..., HttpResponseBase]


def requires(*permissions: str) -> Callable[[ViewFunc], ViewFunc]:
    """Allow the view only to signed-in users holding every permission listed."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_active or not user.has_perms(permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_permissions = permissions  # type: ignore[attr-defined]
        return wrapped

    return decorator


def signed_in(view: ViewFunc) -> ViewFunc:
    """Allow the view to any signed-in, active user."""
    return requires()(view)
