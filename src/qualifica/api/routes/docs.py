"""The API documentation: Swagger UI at ``/docs`` and ReDoc at ``/redoc``, both from assets
packaged with Qualifica (``web/static/vendor/``: swagger-ui-dist and redoc from the npm
registry, as built, with their licences), started without inline script, so the pages work
offline and under the same Content-Security-Policy as every other page (ReDoc's also allows
the ``<style>`` elements it writes, by their hashes: ``security.REDOC_POLICY``)."""

from __future__ import annotations

import re
from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from qualifica.api.security import REDOC_POLICY
from qualifica.errors import NotFound
from qualifica.web.render import environment

router = APIRouter(include_in_schema=False)

#: The vendored packages and the files of each that are served.
VENDOR: dict[str, tuple[str, ...]] = {
    "swagger-ui": ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE",
                   "swagger-ui-bundle.js.LICENSE.txt", "package.json"),
    "redoc": ("redoc.standalone.js", "redoc.standalone.js.LICENSE.txt", "LICENSE",
              "package.json"),
}
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".json": "application/json", ".txt": "text/plain; charset=utf-8"}


def _page(request: Request, template: str) -> str:
    app = request.app
    return environment().get_template(template).render(title=app.title,
                                                       openapi_url=app.openapi_url)


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over ``/openapi.json``."""
    return HTMLResponse(_page(request, "api-swagger.html"))


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc over ``/openapi.json``."""
    return HTMLResponse(_page(request, "api-redoc.html"),
                        headers={"Content-Security-Policy": REDOC_POLICY})


@router.get("/static/vendor/{package}/{name}")
def vendored(package: str, name: str) -> Response:
    """A file of a vendored package (its bundle, stylesheet or licence)."""
    if name not in VENDOR.get(package, ()):
        raise NotFound(f"there is no file {name!r} in {package!r}", id=name)
    suffix = m.group(0) if (m := re.search(r"\.[a-z]+$", name)) else ""
    data = files("qualifica.web").joinpath("static", "vendor", package, name).read_bytes()
    return Response(data, media_type=_TYPES.get(suffix, "text/plain; charset=utf-8"),
                    headers={"Cache-Control": "public, max-age=86400"})
