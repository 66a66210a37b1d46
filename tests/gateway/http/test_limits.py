"""Limits: body size (declared and chunked), records per submission, parse time, per-client rate."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import func, select

from gateway.http.limits import RateLimiter
from gateway.http.reading import ReadTimeout, TooManyRecords, bounded
from gateway.storage.tables import messages
from tests.gateway.http.conftest import Api, sample

JSONL = {"Content-Type": "application/x-ndjson"}
CHILDREN = sample("samples/canonical/children.jsonl")


def _stored(api: Api) -> int:
    with api.database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(messages)).scalar_one())


def test_a_declared_oversized_body_is_refused_before_reading(make_api: Callable[..., Api]) -> None:
    api = make_api(http_max_body_bytes=4096)
    response = api.http.post("/v1/messages", content=b"x" * 5000, headers={**JSONL, **api.key("acme")})
    assert response.status_code == 413
    assert response.json() == {"error": "the request body is larger than 4096 bytes"}
    assert _stored(api) == 0


def test_a_chunked_body_without_length_is_counted_and_refused(make_api: Callable[..., Api]) -> None:
    api = make_api(http_max_body_bytes=4096)

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"y" * 1000

    response = api.http.post("/v1/messages", content=chunks(), headers={**JSONL, **api.key("acme")})
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert _stored(api) == 0
    small = api.http.post(
        "/v1/messages", content=iter([CHILDREN[:2000], CHILDREN[2000:]]), headers={**JSONL, **api.key("acme")}
    )
    assert small.status_code == 422 and small.json()["outcome"] == "rejected"  # read in full (the sample has errors)


def test_json_routes_have_their_own_smaller_limit(make_api: Callable[..., Api]) -> None:
    api = make_api(http_max_json_bytes=2048)
    search = {"family_name": "S" * 3000, "purpose": "safeguarding"}
    response = api.http.post("/v1/directory/searches", json=search, headers=api.key("reader"))
    assert response.status_code == 413
    assert "SSSS" not in response.text


def test_a_multipart_part_over_the_limit_is_refused(make_api: Callable[..., Api]) -> None:
    api = make_api(http_max_body_bytes=4096)
    files = [("files", ("a.csv", b"z" * 3000, "text/csv")), ("files", ("b.csv", b"z" * 3000, "text/csv"))]
    assert api.http.post("/v1/messages", files=files, headers=api.key("acme")).status_code == 413


def test_too_many_records_are_refused_with_a_clear_message(make_api: Callable[..., Api]) -> None:
    api = make_api(http_max_records=2)
    response = api.http.post("/v1/messages", content=CHILDREN, headers={**JSONL, **api.key("acme")})
    assert response.status_code == 413
    assert response.json() == {
        "error": "the submission holds more than 2 child records; split it into smaller submissions"
    }
    assert _stored(api) == 0


def test_reading_past_the_parse_timeout_is_refused(make_api: Callable[..., Api]) -> None:
    api = make_api(http_parse_timeout=1e-9)
    response = api.http.post("/v1/messages", content=CHILDREN, headers={**JSONL, **api.key("acme")})
    assert response.status_code == 422
    assert response.json()["error"].startswith("the submission could not be read within")
    assert _stored(api) == 0


def test_bounded_reading_stops_at_the_deadline_and_at_one_record_too_many(api: Api) -> None:
    from gateway.formats import SourceFile  # noqa: PLC0415

    reader = api.app.state.registry.reader("canonical-jsonl")
    files = [SourceFile(name="c.jsonl", data=CHILDREN)]
    ticks = iter([0.0, 1.0, 2.0, 100.0])
    timed = bounded(reader, timeout=50, max_records=10, clock=lambda: next(ticks))
    events = timed.read(files)
    next(events), next(events)
    try:
        next(events)
    except ReadTimeout:
        pass
    else:
        raise AssertionError("no timeout")
    counted = bounded(reader, timeout=50, max_records=1)
    try:
        list(counted.read(files))
    except TooManyRecords as exc:
        assert exc.limit == 1
    else:
        raise AssertionError("no record limit")


def test_rate_limit_is_per_authenticated_client_with_retry_after(make_api: Callable[..., Api]) -> None:
    api = make_api(http_rate_limit=1.0, http_rate_burst=2)
    spoof = {"X-Forwarded-For": "10.0.0.1", "X-Real-IP": "10.0.0.2", "X-Client-Id": "someone-else"}
    assert api.http.get("/v1/rules", headers=api.key("acme")).status_code == 200
    assert api.http.get("/v1/rules", headers={**api.key("acme"), **spoof}).status_code == 200
    limited = api.http.get("/v1/rules", headers={**api.key("acme"), "X-Forwarded-For": "10.9.9.9"})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json() == {"error": "too many requests from this client; retry later"}
    assert api.http.get("/v1/rules", headers=api.bearer("acme")).status_code == 429  # same client, other credential
    assert api.http.get("/v1/rules", headers=api.key("beacon")).status_code == 200


def test_the_token_bucket_refills_with_time() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    assert limiter.acquire("a") is None and limiter.acquire("a") is None
    assert limiter.acquire("a") == 1
    assert limiter.acquire("b") is None
    now[0] = 1.0
    assert limiter.acquire("a") is None
    assert limiter.acquire("a") == 1
