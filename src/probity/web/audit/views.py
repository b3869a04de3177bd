"""The auditor's view of the access log (itself logged)."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
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
    rows = access_log_list(viewer=request.user, actor_username=actor,
                           object_type=object_type, object_id=object_id)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    with transaction.atomic():
        access_log_record(actor=request.user, action="search", object_type="access_log",
                          object_id="*", purpose="audit review",
                          fields_shown=[f"actor={actor}", f"object_type={object_type}",
                                        f"object_id={object_id}"])
    return render(request, "audit/log.html", {"page": page, "actor": actor,
                                              "object_type": object_type,
                                              "object_id": object_id})


@require_GET
@requires("audit.view_accesslog")
def export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered log as CSV (every column, hashes included, so a copy can be re-verified).
    The export is itself logged before the rows are streamed."""
    actor = request.GET.get("actor", "").strip()[:150]
    object_type = request.GET.get("object_type", "").strip()[:40]
    object_id = request.GET.get("object_id", "").strip()[:64]
    with transaction.atomic():
        access_log_list(viewer=request.user, actor_username=actor, object_type=object_type,
                        object_id=object_id)
        access_log_record(actor=request.user, action="export", object_type="access_log",
                          object_id="*", purpose="audit export",
                          fields_shown=[f"actor={actor}", f"object_type={object_type}",
                                        f"object_id={object_id}"])
    rows = access_log_list(viewer=request.user, actor_username=actor, object_type=object_type,
                           object_id=object_id).order_by("sequence")
    columns = ["sequence", "at", "actor_username", "action", "object_type", "object_id",
               "fields_shown", "purpose", "previous_hash", "entry_hash"]

    class _Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(columns)
        for row in rows.iterator(chunk_size=2000):
            values = [getattr(row, c) for c in columns]
            values[1] = row.at.isoformat()
            # neutralise spreadsheet formulas in free text
            yield writer.writerow([f"'{v}" if isinstance(v, str) and v[:1] in "=+-@" else v
                                   for v in values])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="probity-access-log.csv"'
    return response


@require_GET
@requires("audit.verify_accesslog")
def verify(request: HttpRequest) -> HttpResponse:
    result = access_log_verify()
    return render(request, "audit/verify.html", {"result": result})
