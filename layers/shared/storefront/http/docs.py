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


def swagger_page(spec_url: str, assets_base: str) -> str:
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
  <script>
    window.ui = SwaggerUIBundle({{
      url: "{spec_url}",
      dom_id: "#swagger-ui",
      deepLinking: true,
      persistAuthorization: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout"
    }});
  </script>
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
    content_type = SWAGGER_ASSETS.get(name)
    if content_type is None:
        return None
    return (_static_dir() / name).read_bytes(), content_type
