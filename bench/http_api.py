"""``POST /v1/messages`` under uvicorn at a fixed offered load, against a trivial FastAPI endpoint.

Usage::

    .venv/bin/python bench/http_api.py                          # SQLite, 10 requests/s for 15 s
    .venv/bin/python bench/http_api.py --rate 20 --seconds 30
    .venv/bin/python bench/http_api.py --postgres               # PostgreSQL at ECM_TEST_POSTGRES_URL

Three measurements in one run, on the same machine:

1. **Baseline**: a trivial FastAPI app (``POST /v1/messages`` reads the body and answers a small JSON 201)
   under uvicorn with the same settings as the gateway (one worker, ``log_level=warning``, no server
   header), started as ``python bench/http_api.py --serve-baseline --port N``.
2. **Gateway**: ``ecm-gateway serve --port N`` (uvicorn with ``gateway.http.app:create_app``) on a fresh
   database (a SQLite file, or a fresh PostgreSQL schema), the embedded local transport, the default ``ics-1c``
   profile; a client (LA 201 and 202, scope ``submit``) registered with an API key; rate limits lifted.
3. **In process**: the same submissions through the app's ``SubmissionService.submit`` with no HTTP (the
   app's lifespan built in this process on another fresh database), one after another: the intake's own
   time per message.

The load generator is this process (servers are separate processes): open loop, request *i* is due at
``start + i / rate`` and is sent then whether or not earlier ones have answered (httpx, HTTP/1.1, a pool of
``--connections``); latency is counted from when the request was due, so a server that falls behind is
charged for the queueing (no coordinated omission). Bodies rotate over three small synthetic files: a CIN
census 2024-25 return (3 children), an ics-xml message (3 children) and a FHIR R4 Bundle (1 child with a
CAF). ``--warmup`` seconds at the same rate run first and are not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BODIES: tuple[tuple[str, str, str], ...] = (
    ("samples/cin-census/census-2024-25.xml", "application/xml", "cin-census-xml"),
    ("tests/fixtures/ics-xml/golden-message.xml", "application/xml", "ics-xml"),
    ("samples/fhir/child-with-caf.json", "application/fhir+json", "fhir-r4-json"),
)
"""(file, content type, format) of the rotated request bodies."""

LIFTED = {"ECM_HTTP_RATE_LIMIT": "1e9", "ECM_HTTP_RATE_BURST": "1000000000"}


# --- the baseline server -----------------------------------------------------------------------------


def serve_baseline(port: int) -> None:
    """A trivial FastAPI app under uvicorn with the gateway's uvicorn settings."""
    app = FastAPI()

    @app.get("/health/live")
    def live() -> dict[str, str]:
        return {"status": "live"}

    @app.post("/v1/messages")
    async def submit(request: Request) -> JSONResponse:
        body = await request.body()
        return JSONResponse(status_code=201, content={"message_id": uuid.uuid4().hex, "bytes": len(body)})

    uvicorn.run(app, host="127.0.0.1", port=port, workers=1, log_level="warning", server_header=False)


# --- databases and the client ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def fresh_database(postgres: bool, folder: Path, name: str) -> Iterator[str]:
    """A URL to an empty database: a SQLite file in ``folder`` or a new schema on ECM_TEST_POSTGRES_URL."""
    if not postgres:
        yield f"sqlite:///{(folder / f'{name}.sqlite3').as_posix()}"
        return
    import psycopg  # noqa: PLC0415

    server = os.environ.get("ECM_TEST_POSTGRES_URL")
    if not server:
        raise SystemExit('--postgres needs ECM_TEST_POSTGRES_URL (eval "$(scripts/services env)")')
    plain = server.replace("postgresql+psycopg://", "postgresql://", 1)
    schema = f"bench_{name}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in server else "?"
    try:
        yield f"{server}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def register_client(url: str) -> str:
    """Migrate the database and register the bench client; its API key."""
    from gateway.security import ClientStore  # noqa: PLC0415
    from gateway.storage import open_database  # noqa: PLC0415

    database = open_database(url)
    try:
        clients = ClientStore(database)
        clients.add("bench", name="bench", supplier_id="bench", la_codes=["201", "202"], scopes=["submit"])
        return clients.issue_api_key("bench").token
    finally:
        database.dispose()


def _bodies() -> list[tuple[bytes, str, str]]:
    return [((ROOT / path).read_bytes(), media, format_id) for path, media, format_id in BODIES]


# --- the load generator --------------------------------------------------------------------------------


@dataclass
class Run:
    """What one open-loop run measured."""

    name: str
    offered: float
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int | str, int] = field(default_factory=dict)
    elapsed: float = 0.0

    def line(self) -> str:
        ok = sum(count for status, count in self.statuses.items() if isinstance(status, int) and status < 300)
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) * 1000 if lat else float("nan")
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else float("nan")
        top = lat[-1] * 1000 if lat else float("nan")
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(self.statuses.items(), key=str))
        return (
            f"{self.name:<10} offered {self.offered:7.1f}/s  answered {len(lat) / self.elapsed:7.1f}/s "
            f"(2xx {ok / self.elapsed:7.1f}/s)  p50 {p50:8.1f} ms  p99 {p99:8.1f} ms  max {top:8.1f} ms  [{statuses}]"
        )

    def percentile(self, q: float) -> float:
        lat = sorted(self.latencies)
        return lat[min(len(lat) - 1, int(len(lat) * q))] if lat else float("nan")


async def _one(client: httpx.AsyncClient, due: float, body: tuple[bytes, str, str], run: Run | None) -> None:
    data, media, format_id = body
    try:
        response = await client.post(
            "/v1/messages",
            params={"format": format_id, "la_code": "201"},
            content=data,
            headers={"Content-Type": media},
        )
        status: int | str = response.status_code
    except httpx.HTTPError as exc:
        status = type(exc).__name__
    if run is not None:
        run.latencies.append(time.perf_counter() - due)
        run.statuses[status] = run.statuses.get(status, 0) + 1


async def _drive(base: str, key: str, *, rate: float, seconds: float, run: Run | None, connections: int) -> float:
    bodies = _bodies()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    timeout = httpx.Timeout(60.0)
    headers = {"Authorization": f"ApiKey {key}"}
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout, headers=headers) as client:
        tasks = []
        start = time.perf_counter()
        total = int(rate * seconds)
        for i in range(total):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_one(client, due, bodies[i % len(bodies)], run)))
        await asyncio.gather(*tasks)
        return time.perf_counter() - start


def measure(name: str, base: str, key: str, args: argparse.Namespace) -> Run:
    if args.warmup > 0:
        asyncio.run(_drive(base, key, rate=args.rate, seconds=args.warmup, run=None, connections=args.connections))
    run = Run(name=name, offered=args.rate, seconds=args.seconds)
    run.elapsed = asyncio.run(
        _drive(base, key, rate=args.rate, seconds=args.seconds, run=run, connections=args.connections)
    )
    return run


# --- servers -----------------------------------------------------------------------------------------------


def _wait_live(base: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/health/live", timeout=1.0).status_code == 200:
                return
        time.sleep(0.1)
    raise SystemExit("the server did not answer /health/live within 60 s")


@contextlib.contextmanager
def server(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT)
    try:
        _wait_live(base, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- in process --------------------------------------------------------------------------------------------


def in_process(url: str, folder: Path, count: int) -> list[float]:
    """Seconds per ``SubmissionService.submit`` (read, check, resolve, store, route, audit), no HTTP."""
    from gateway.http.app import build_app  # noqa: PLC0415
    from gateway.settings import load_settings  # noqa: PLC0415

    key = register_client(url)
    settings = load_settings(
        database_url=url, data_dir=folder, broker_url=None, **{k[4:].lower(): v for k, v in LIFTED.items()}
    )
    app = build_app(settings)
    bodies = _bodies()
    timings: list[float] = []

    async def run() -> None:
        async with app.router.lifespan_context(app):
            principal = app.state.authenticator.authenticate(f"ApiKey {key}")
            submissions = app.state.submissions
            for i in range(count):
                data, media, format_id = bodies[i % len(bodies)]
                name = "payload.json" if "json" in media else "payload.xml"
                begin = time.perf_counter()
                submissions.submit(principal, [(name, data)], la_code="201", format_id=format_id)
                timings.append(time.perf_counter() - begin)

    asyncio.run(run())
    return timings


# --- main -----------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=10.0, help="Offered load, requests per second (open loop).")
    parser.add_argument("--seconds", type=float, default=15.0, help="Length of each measured run.")
    parser.add_argument("--warmup", type=float, default=3.0, help="Seconds at the same rate first, not counted.")
    parser.add_argument("--connections", type=int, default=64, help="HTTP connection pool of the load generator.")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL at ECM_TEST_POSTGRES_URL, not SQLite.")
    parser.add_argument("--in-process", type=int, default=150, help="Submissions timed in process (0: skip).")
    parser.add_argument("--serve-baseline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_baseline:
        serve_baseline(args.port)
        return

    database = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"POST /v1/messages, {database}, local transport, open loop {args.rate:g}/s for {args.seconds:g} s "
        f"(+{args.warmup:g} s warm-up), bodies: {', '.join(Path(p).name for p, _m, _f in BODIES)}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="ecm-bench-http-") as temp:
        folder = Path(temp)
        port = _free_port()
        baseline_cmd = [sys.executable, str(Path(__file__).resolve()), "--serve-baseline", "--port", str(port)]
        with server(baseline_cmd, {}, port) as base:
            baseline = measure("baseline", base, "unused", args)
        print(baseline.line(), flush=True)

        with fresh_database(args.postgres, folder, "served") as url:
            key = register_client(url)
            port = _free_port()
            env = {
                "ECM_DATABASE_URL": url,
                "ECM_DATA_DIR": str(folder),
                "ECM_PUBLIC_URL": f"http://127.0.0.1:{port}",
                "ECM_LOG_LEVEL": "WARNING",
                **LIFTED,
            }
            gateway_cmd = [str(Path(sys.executable).parent / "ecm-gateway"), "serve", "--port", str(port)]
            with server(gateway_cmd, {**env, "ECM_BROKER_URL": ""}, port) as base:
                gateway = measure("gateway", base, key, args)
        print(gateway.line(), flush=True)

        print(
            f"ratio gateway/baseline: p50 {gateway.percentile(0.5) / baseline.percentile(0.5):.1f}x, "
            f"p99 {gateway.percentile(0.99) / baseline.percentile(0.99):.1f}x"
        )
        if args.in_process:
            with fresh_database(args.postgres, folder, "inproc") as url:
                timings = in_process(url, folder, args.in_process)
            timings = timings[10:]  # first submissions load schemas and profiles
            print(
                f"in process (SubmissionService.submit, no HTTP, {len(timings)} messages after 10 warm-up): "
                f"mean {statistics.mean(timings) * 1000:.1f} ms, p50 {statistics.median(timings) * 1000:.1f} ms, "
                f"p99 {sorted(timings)[int(len(timings) * 0.99)] * 1000:.1f} ms per message "
                f"(= at most {1 / statistics.mean(timings):.0f} messages/s on one thread)"
            )


if __name__ == "__main__":
    main()
