"""Swagger UI served from the function itself, so /v1/docs works without a CDN."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

SWAGGER_ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
    "swagger-ui-standalone-preset.js": "application/javascript; charset=utf-8",
}
INITIALIZER = "swagger-initializer.js"
SPEC_URL = "/v1/openapi.json"
# The page runs only its own files: no inline script, nothing from elsewhere, no framing.
# Swagger UI sets inline styles, and shows its logo as a data: image.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def swagger_initializer(spec_url: str = SPEC_URL) -> str:
    """The page's only script of its own, served as a file so the policy can forbid inline code.

    No `persistAuthorization`: a token typed into the page is forgotten with the page, never
    kept in the browser's storage where any script of the origin could read it.
    """
    return f"""window.ui = SwaggerUIBundle({{
  url: "{spec_url}",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout"
}});
"""


def swagger_page(assets_base: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Storefront API</title>
  <link rel="stylesheet" href="{assets_base}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{assets_base}/swagger-ui-bundle.js"></script>
  <script src="{assets_base}/swagger-ui-standalone-preset.js"></script>
  <script src="{assets_base}/{INITIALIZER}"></script>
</body>
</html>
"""


@cache
def _static_dir() -> Path:
    # find_spec locates the package without running its __init__ (which imports jinja2).
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("swagger-ui-py is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def swagger_asset(name: str) -> tuple[bytes, str] | None:
    if name == INITIALIZER:
        return swagger_initializer().encode(), "application/javascript; charset=utf-8"
    content_type = SWAGGER_ASSETS.get(name)
    if content_type is None:
        return None
    return (_static_dir() / name).read_bytes(), content_type
