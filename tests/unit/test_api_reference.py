"""The API reference page: Swagger UI 5 from the pinned package, over the API's own
document, with nothing loaded from outside (no CDN)."""

import json
import re
from pathlib import Path

import pytest

from tools.api_reference import ASSETS, asset, build, page
from tools.openapi import build_document

pytestmark = pytest.mark.unit


def test_the_static_build_holds_the_page_its_assets_and_the_document(tmp_path: Path) -> None:
    document = {**build_document(), "servers": [{"url": "https://api.example/v1"}]}
    index = build(tmp_path / "reference", document)

    html = index.read_text()
    assert sorted(p.name for p in index.parent.iterdir()) == sorted(
        [*ASSETS, "index.html", "openapi.json"]
    )
    assert json.loads((index.parent / "openapi.json").read_text())["servers"] == [
        {"url": "https://api.example/v1"}
    ]
    # Every script and stylesheet is a file beside the page: nothing from a CDN.
    loaded = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sorted(loaded) == sorted(ASSETS)
    assert 'url: "openapi.json"' in html


def test_the_bundle_is_swagger_ui_5_which_reads_openapi_3_1() -> None:
    found = asset("swagger-ui-bundle.js")
    assert found is not None and found[0].startswith("text/javascript")
    assert re.search(rb'"5\.\d+\.\d+"', found[1])
    assert build_document()["openapi"].startswith("3.1")
    assert asset("../../etc/passwd") is None and asset("swagger-editor.js") is None
    assert b"/docs/swagger-ui.css" in page("/openapi.json", "/docs/")
