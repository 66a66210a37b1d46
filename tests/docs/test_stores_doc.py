"""The stores guide documents exactly the routes the store APIs serve."""

from __future__ import annotations

import re
from pathlib import Path

from gateway.http.app import build_app

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "operators" / "stores.md"


def test_every_documented_route_exists_and_every_route_is_documented() -> None:
    documented = {
        (method, path.split("?")[0].split("[")[0])
        for method, path in re.findall(r"`(GET|POST) (/v1/[^`\s]+)", GUIDE.read_text(encoding="utf-8"))
    }
    paths = build_app().openapi()["paths"]
    served = {
        (method.upper(), path)
        for path, operations in paths.items()
        for method in operations
        if path.startswith(("/v1/directory/", "/v1/caf/"))  # the stores' routes; the others have their guides
    }
    assert documented == served
