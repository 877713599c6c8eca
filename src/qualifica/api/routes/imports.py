"""Routes: spreadsheet import for planners.

``GET /api/import/template.xlsx`` (open) serves the template workbook. ``POST /api/import`` takes a
filled-in workbook or one CSV file, as the multipart field ``file`` or as the raw body
(``application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`` or ``text/csv``; a raw CSV
body names its sheet with ``?sheet=``). It is authenticated like every other write (bearer token:
none → 401, a wrong one → 403, no tokens configured → 403) and all or nothing: 201 with the counts
of what was created, or 422 with ``errors`` naming sheet, row and column of every problem.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from qualifica.api.body import check_unpacked_size, read_body
from qualifica.api.deps import CtxDep
from qualifica.api.routes.writes import WriteAuth
from qualifica.errors import BadParameter
from qualifica.ingest import spreadsheet

log = logging.getLogger(__name__)

router = APIRouter(tags=["import"])

#: A real import over the bundled graph: one new task from a CSV body, and a refused row.
_CSV_EXAMPLE = ("id,label_de,label_en,source\n"
                "akten-digitalisieren,Akten digitalisieren,Digitise files,"
                "https://example.org/personalplanung\n")
_CREATED_EXAMPLE: dict[str, Any] = {
    "graph": "https://w3id.org/qualifica/graph/import", "quads": 4,
    "created": {"roles": 0, "tasks": 1, "competencies": 0, "requirements": 0,
                "training formats": 0, "outcomes": 0},
}
_REFUSED_EXAMPLE: dict[str, Any] = {
    "type": "about:blank", "title": "Validation failed", "status": 422,
    "detail": "the import was refused with 1 error(s); nothing was written (first: "
              "requirements, 2, level: level 'e-kompetenz-1' is not on the scale of the "
              "competency's framework digcomp-2-2)",
    "instance": "/api/import",
    "errors": [{"sheet": "requirements", "row": 2, "column": "level",
                "message_de": "Stufe 'e-kompetenz-1' gehört nicht zum Kompetenzrahmen "
                              "digcomp-2-2 der Kompetenz",
                "message_en": "level 'e-kompetenz-1' is not on the scale of the competency's "
                              "framework digcomp-2-2"}],
}
_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {"type": "object", "required": ["file"], "properties": {
                "file": {"type": "string", "format": "binary"},
                "sheet": {"type": "string"}}}},
        spreadsheet.XLSX: {"schema": {"type": "string", "format": "binary"}},
        "text/csv": {"schema": {"type": "string"}, "example": _CSV_EXAMPLE},
    },
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Nothing to import (no rows): the same counts, all zero"},
    201: {"description": "Imported: the graph written to, the quads added and the resources "
                         "created per sheet",
          "content": {"application/json": {"example": _CREATED_EXAMPLE}}},
    401: {"description": "No bearer token"},
    403: {"description": "A wrong token, or writes are switched off"},
    413: {"description": "The upload is larger than QUALIFICA_MAX_BODY_BYTES"},
    415: {"description": "Neither an xlsx workbook nor a CSV file"},
    422: {"description": "Refused, nothing written: ``errors`` lists every problem as "
                         "{sheet, row, column, message_de, message_en}",
          "content": {"application/problem+json": {"example": _REFUSED_EXAMPLE}}},
}


@router.get("/api/import/template.xlsx", summary="The import template (xlsx)",
            response_class=Response,
            responses={200: {
                "description": "The template workbook",
                "content": {spreadsheet.XLSX: {"schema": {"type": "string",
                                                          "format": "binary"}}},
                "headers": {"Content-Disposition": {
                    "schema": {"type": "string"},
                    "example": 'attachment; filename="qualifica-import.xlsx"'}}}})
def template() -> Response:
    """The workbook planners fill in: an instructions sheet (de/en) and one sheet per kind
    (roles, tasks, competencies, requirements, training formats, outcomes)."""
    return Response(spreadsheet.template_workbook(), media_type=spreadsheet.XLSX,
                    headers={"Content-Disposition":
                             'attachment; filename="qualifica-import.xlsx"'})


@router.post("/api/import", summary="Import a workbook or CSV file (gated, all or nothing)",
             status_code=201, responses=_RESPONSES, openapi_extra={"requestBody": _BODY})
async def import_file(
    request: Request,
    ctx: CtxDep,
    _auth: WriteAuth,
    sheet: Annotated[str | None, Query(description="The sheet a raw CSV body holds "
                                                   "(e.g. roles)", max_length=40,
                                              examples=["tasks"])] = None,
) -> JSONResponse:
    """Check every row, then write everything through the SHACL gate or nothing."""
    body = await read_body(request, ctx.settings.max_body_bytes)
    request._body = body  # what the multipart parser below reads (Starlette's body cache)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    filename: str | None = None
    if ctype == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=5)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise BadParameter("send the workbook in the multipart field 'file'", param="file")
        data = await upload.read()
        filename = upload.filename
        ctype = (upload.content_type or "").split(";")[0].strip().lower()
        field_sheet = form.get("sheet")
        if isinstance(field_sheet, str) and field_sheet and sheet is None:
            sheet = field_sheet
    else:
        data = body
        if ctype not in (spreadsheet.XLSX, "text/csv", "application/csv"):
            raise BadParameter(f"unsupported content type {ctype or '(none)'!r}; send "
                               f"{spreadsheet.XLSX}, text/csv or multipart/form-data",
                               param="content-type", status=415)
    if ctype == spreadsheet.XLSX or data[:4] == b"PK\x03\x04":
        check_unpacked_size(data, 8 * ctx.settings.max_body_bytes)
    result = await run_in_threadpool(spreadsheet.import_bytes, ctx, data, filename=filename,
                                     content_type=ctype, sheet=sheet)
    status = 201 if result.quads else 200
    return JSONResponse(result.as_json(), status_code=status)
