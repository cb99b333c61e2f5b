"""Pages of the spreadsheet import (upload -> preview -> confirm) and the exports.

Anyone who may use the pages may import and export what they can see: the bulk service checks
visibility per row on import, `visible_to` decides what an export holds. The work is in
integrations.spreadsheets; these views only move requests in and answers out.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from integrations.spreadsheets import KINDS, exporting, kind_choices
from integrations.spreadsheets.forms import UploadForm
from integrations.spreadsheets.importing import Report, import_confirm, import_preview
from integrations.spreadsheets.models import ImportBatch
from integrations.spreadsheets.reading import SpreadsheetError
from kam.pages import page_view

SHOWN_ROWS = 200  # rows listed on the preview page; the counts cover all of them


@page_view
def import_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = import_preview(
                user=request.user,
                kind=form.cleaned_data["kind"],
                file=upload,
                filename=upload.name,
                number_format=form.cleaned_data["number_format"],
            )
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            return redirect("integrations:import_batch", pk=batch.pk)
    context = {
        "form": form,
        "recent": ImportBatch.objects.filter(user=request.user).defer("rows", "preview", "result", "upload")[:10],
        "kinds": kind_choices(),
        "max_mb": settings.SPREADSHEET_MAX_FILE_BYTES // (1024 * 1024),
        "max_rows": settings.SPREADSHEET_MAX_ROWS,
    }
    return render(request, "integrations/import.html", context, status=400 if form.errors else 200)


@page_view
def import_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.defer("rows", "upload"), pk=pk, user=request.user)
    if batch.status in (ImportBatch.Status.QUEUED, ImportBatch.Status.FAILED):
        # Polled by htmx while a worker reads the file; once it is done the page reloads whole.
        if request.headers.get("HX-Request") and batch.status != ImportBatch.Status.QUEUED:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        template = "integrations/_import_progress.html" if request.headers.get("HX-Request") else None
        return render(request, template or "integrations/import_queued.html", {"batch": batch})
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    applied = batch.status == ImportBatch.Status.APPLIED and batch.result is not None
    report = Report.from_json(batch.result if applied else batch.preview)
    problems = report.problems()
    # Problems first (they are what needs doing), then the others up to SHOWN_ROWS.
    shown = (problems + [row for row in report.rows if not row.errors])[:SHOWN_ROWS]
    context = {
        "batch": batch,
        "applied": applied,
        "report": report,
        "rows": shown,
        "hidden_rows": len(report.rows) - len(shown),
        "problem_count": len(problems),
    }
    return render(request, "integrations/import_batch.html", context)


@page_view
@require_POST
def import_batch_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(
        ImportBatch.objects.defer("preview", "result", "upload"),
        pk=pk,
        user=request.user,
        status__in=(ImportBatch.Status.PREVIEWED, ImportBatch.Status.APPLIED),
    )
    if import_confirm(batch=batch):
        messages.success(request, _("Imported %(file)s.") % {"file": batch.filename})
    else:
        messages.info(request, _("This file was already imported; nothing was imported again."))
    return redirect("integrations:import_batch", pk=batch.pk)


@page_view
def export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    if kind not in KINDS or fmt not in ("csv", "xlsx"):
        raise Http404
    rows = exporting.export_rows(kind, request.user, filters=request.GET)
    filename = f"{kind}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        return exporting.csv_response(rows, filename=filename)
    response = exporting.xlsx_response(rows, title=kind)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
