"""schemathesis against the live OpenAPI document: every operation, authenticated, on SQLite and PostgreSQL.

The document is the one the running app serves at ``/openapi.json`` (fetched through the started app, so it
is exactly what suppliers see). For each operation schemathesis generates valid requests (positive mode) and
invalid ones (negative mode); each is sent to the app in process, authenticated with the API key of a client
holding every scope, and checked: no 5xx, every status code documented for the operation, the content type
documented, and the body conforming to the documented schema. The rate limit is lifted so 429 does not hide
the routes.

So that the reads reach stored data and not only 404s, a CIN census and a FHIR bundle with a CAF are
submitted first and their routed events applied to the directory and CAF stores, and a possible duplicate
is held for review; a third pass then fixes ``message_id``, ``child_id``, ``caf_id``, ``review_id`` and
``record_id`` to those and generates the rest (bodies, queries, other ids).

Bounded for CI (``MAX_EXAMPLES`` per operation and pass, derandomised so a failure replays exactly).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, cast

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.python.asgi import ASGIClient
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.gateway.http.conftest import Api, register, sample
from tests.gateway.http.stores import apply_routed_events
from tests.gateway.matching.test_resolution import pipeline, record

MAX_EXAMPLES: Final = 15
"""Per operation and pass (22 operations, 2 modes + the known-ids pass): about 20-30 s per database on this
(shared, 2-core) machine."""

CHECKS: Final = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

FUZZER: Final = "fuzzer"
BASE_URL: Final = "http://testserver"


@dataclass(frozen=True)
class Live:
    api: Api
    schema: Any
    headers: dict[str, str]
    known: dict[str, str]
    """Path parameter values that exist: ``message_id``, ``child_id``, ``review_id``, ``record_id`` and (if a
    CAF was stored) ``caf_id``."""


@pytest.fixture
def live(make_api: Callable[..., Api]) -> Live:
    """The started app with stored data, its live OpenAPI document loaded by schemathesis, a credential."""
    api = make_api(http_rate_limit=1e9, http_rate_burst=1_000_000_000)
    parts: dict[str, Any] = {"keys": {}, "signers": {}}
    scopes = ["submit", "validate", "read:directory", "read:caf", "operate", "review:duplicates"]
    register(api.clients, parts, FUZZER, ["201"], scopes)
    headers = {"Authorization": f"ApiKey {parts['keys'][FUZZER]}"}
    for message_id, path, media in (
        ("seeded-census", "samples/cin-census/census-2024-25.xml", "application/xml"),
        ("seeded-fhir", "samples/fhir/child-with-caf.json", "application/fhir+json"),
    ):
        seeded = api.http.post(
            f"/v1/messages?message_id={message_id}", content=sample(path), headers={"Content-Type": media, **headers}
        )
        assert seeded.status_code in (201, 422), seeded.text  # stored either way (the census sample is rejected)
    entries, cafs = apply_routed_events(api)
    assert entries, "no directory entry to read"
    known = {"message_id": "seeded-census", "child_id": entries[0].child_id, **({"caf_id": cafs[0]} if cafs else {})}
    held = pipeline(api.database)  # a possible duplicate of council 201 held for review
    held.send([record("C1")], supplier="council", message_id="seeded-first")
    held.send([record("S9", given="Olly", nhs=None)], supplier="school", message_id="seeded-held")
    (review,) = held.queue.reviews()
    known |= {"review_id": str(review.review_id), "record_id": review.record_id}
    document = api.http.get("/openapi.json")
    assert document.status_code == 200
    return Live(api, schemathesis.openapi.from_dict(document.json()), headers, known)


def _operations(schema: Any) -> list[Any]:
    found = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(found) == sum(1 for result in schema.get_all_operations()), "an operation failed to load"
    return found


def _has_inputs(operation: Any) -> bool:
    return bool(operation.body or operation.query or operation.path_parameters or operation.headers)


def _describe(label: str, exc: BaseException) -> str:
    """The failure as schemathesis words it (check, received vs documented, body) and its curl reproduction."""
    notes = "\n".join(getattr(exc, "__notes__", ()))
    return f"{label}: {type(exc).__name__}: {exc}\n{notes}"[:6000]


def _passes(operation: Any, known: dict[str, str]) -> list[tuple[str, GenerationMode, dict[str, str] | None]]:
    passes: list[tuple[str, GenerationMode, dict[str, str] | None]] = [
        ("positive", GenerationMode.POSITIVE, None),
        ("negative", GenerationMode.NEGATIVE, None),
    ]
    names = {parameter.name for parameter in operation.path_parameters}
    fixed = {name: value for name, value in known.items() if name in names}
    if fixed:
        passes.append(("known ids", GenerationMode.POSITIVE, fixed))
    return passes


def test_every_operation_conforms_to_the_live_document(live: Live) -> None:
    operations = _operations(live.schema)
    assert len(operations) >= 22  # messages, validate, rules, health, metrics, directory, caf, reviews
    # The app's lifespan runs under the test client; this session only carries requests to the same app.
    session = ASGIClient(cast(Any, live.api.app))
    failures: list[str] = []
    for operation in operations:
        for name, mode, fixed in _passes(operation, live.known):
            strategy = operation.as_strategy(generation_mode=mode, headers=live.headers, path_parameters=fixed)

            @given(case=strategy)
            @settings(
                max_examples=MAX_EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                response = case.call(session=session, base_url=BASE_URL)
                case.validate_response(response, checks=CHECKS)

            label = f"{operation.label} [{name}]"
            try:
                run()
            except Unsatisfiable:
                # Negative mode has nothing to break in an operation without parameters or body.
                if mode is GenerationMode.POSITIVE or _has_inputs(operation):
                    failures.append(f"{label}: no request could be generated")
            except (Exception, BaseExceptionGroup) as exc:  # one report for every failing operation
                failures.append(_describe(label, exc))
    assert not failures, "\n\n".join(failures)


def test_the_harness_reports_an_undocumented_status(live: Live) -> None:
    """The same wiring fails on a real answer the document does not list (here: 401 removed from it)."""
    document = live.api.http.get("/openapi.json").json()
    del document["paths"]["/v1/rules"]["get"]["responses"]["401"]
    case = schemathesis.openapi.from_dict(document)["/v1/rules"]["GET"].Case()
    session = ASGIClient(cast(Any, live.api.app))
    response = case.call(session=session, base_url=BASE_URL)  # no credentials: 401
    assert response.status_code == 401
    with pytest.raises((AssertionError, BaseExceptionGroup), match="Undocumented status code"):
        case.validate_response(response, checks=CHECKS)


def test_the_known_ids_reach_stored_data(live: Live) -> None:
    """The third pass is worth running: with the known ids the reads answer 200, not 404."""
    headers = live.headers
    child = live.known["child_id"]
    for path in (
        f"/v1/messages/{live.known['message_id']}",
        f"/v1/directory/children/{child}?purpose=safeguarding",
        f"/v1/directory/children/{child}/involvements?purpose=safeguarding",
        f"/v1/reviews/{live.known['review_id']}",
    ):
        assert live.api.http.get(path, headers=headers).status_code == 200, path
