"""The auditor's view of the access log (itself logged)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from probity.web.audit.selectors import access_log_list
from probity.web.audit.services import access_log_record, access_log_verify
from probity.web.core.access import requires


@require_GET
@requires("audit.view_accesslog")
def log(request: HttpRequest) -> HttpResponse:
    actor = request.GET.get("actor", "").strip()[:150]
    object_type = request.GET.get("object_type", "").strip()[:40]
    object_id = request.GET.get("object_id", "").strip()[:64]
    with transaction.atomic():
        rows = access_log_list(viewer=request.user, actor_username=actor,
                               object_type=object_type, object_id=object_id)
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        access_log_record(actor=request.user, action="search", object_type="access_log",
                          object_id="*", purpose="audit review",
                          fields_shown=[f"actor={actor}", f"object_type={object_type}",
                                        f"object_id={object_id}"])
    return render(request, "audit/log.html", {"page": page, "actor": actor,
                                              "object_type": object_type,
                                              "object_id": object_id})


@require_GET
@requires("audit.verify_accesslog")
def verify(request: HttpRequest) -> HttpResponse:
    result = access_log_verify()
    return render(request, "audit/verify.html", {"result": result})
