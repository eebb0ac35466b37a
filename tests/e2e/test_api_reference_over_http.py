"""`make run` serves the API reference: the page, its assets and the document it reads."""

import pytest
import requests

from tests.e2e.conftest import Api

pytestmark = pytest.mark.e2e


def test_the_reference_page_and_everything_it_loads_come_from_the_platform(api: Api) -> None:
    base = api.endpoints.api_url
    page = requests.get(f"{base}/docs", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"):
        assert f"/docs/{asset}" in page.text
        loaded = requests.get(f"{base}/docs/{asset}", timeout=10)
        assert loaded.status_code == 200 and len(loaded.content) > 1000, asset
    spec = requests.get(f"{base}/openapi.json", timeout=10).json()
    assert spec["paths"]["/clubs/{club_id}/rides"]["post"]["operationId"] == "createRide"
    assert requests.get(f"{base}/docs/secrets.txt", timeout=10).status_code == 404
