"""The API reference page: Swagger UI (5.x, which reads OpenAPI 3.1) over the API's own
document, with its assets from the pinned `swagger-ui-py` package, so nothing is fetched
from a CDN when the page is read.

`make run` serves it at http://127.0.0.1:3000/docs. For a stage, a static folder to put
behind any web server (or open from disk):

    python -m tools.api_reference build/api-reference --server https://<api>/v1
"""

import argparse
import json
import shutil
import sys
from functools import cache
from pathlib import Path
from typing import Any

# The three assets the page loads, beside it.
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js")
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

PAGE = """<!doctype html>
<html lang="en-AU">
<head>
<meta charset="utf-8">
<title>Sydney Cycling Platform API</title>
<link rel="stylesheet" href="{assets}swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}swagger-ui-bundle.js"></script>
<script src="{assets}swagger-ui-standalone-preset.js"></script>
<script>
window.ui = SwaggerUIBundle({{
  url: "{spec}",
  dom_id: "#swagger-ui",
  deepLinking: true,
  displayOperationId: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout",
}});
</script>
</body>
</html>
"""


@cache
def asset_folder() -> Path:
    import swagger_ui

    return Path(swagger_ui.__file__).parent / "static"


def page(spec_url: str, assets: str = "") -> bytes:
    return PAGE.format(spec=spec_url, assets=assets).encode()


def asset(name: str) -> tuple[str, bytes] | None:
    """(content type, bytes) of one of the page's assets; None for anything else."""
    if name not in ASSETS:
        return None
    path = asset_folder() / name
    return _TYPES[path.suffix], path.read_bytes()


def build(target: Path, document: dict[str, Any]) -> Path:
    """A static folder: the page, its assets and the document."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        shutil.copyfile(asset_folder() / name, target / name)
    (target / "openapi.json").write_text(json.dumps(document, indent=2) + "\n")
    (target / "index.html").write_bytes(page("openapi.json"))
    return target / "index.html"


def main(argv: list[str]) -> int:
    from tools.openapi import build_document

    parser = argparse.ArgumentParser(prog="python -m tools.api_reference", description=__doc__)
    parser.add_argument("target", type=Path)
    parser.add_argument("--server", help="the stage's API URL, for 'Try it out'")
    args = parser.parse_args(argv)
    document = build_document()
    if args.server:
        document["servers"] = [{"url": args.server}]
    print(f"wrote {build(args.target, document)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
