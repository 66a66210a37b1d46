"""``ecm-gateway serve`` under a real uvicorn: it starts, answers, authenticates, and refuses a chunked body."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.security import ClientStore
from gateway.storage import open_database
from tests.gateway.http.conftest import AUDIENCE, sample


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{(tmp_path / 'serve.sqlite3').as_posix()}"
    database = open_database(url)
    clients = ClientStore(database)
    clients.add("acme", name="Acme", supplier_id="acme", la_codes=["201"], scopes=["submit"])
    key = clients.issue_api_key("acme").token
    database.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "ECM_DATABASE_URL": url,
        "ECM_DATA_DIR": str(tmp_path),
        "ECM_PUBLIC_URL": AUDIENCE,
        "ECM_HTTP_MAX_BODY_BYTES": "100000",
    }
    env.pop("ECM_BROKER_URL", None)
    command = [str(Path(sys.executable).parent / "ecm-gateway"), "serve", "--port", str(port)]
    output = tmp_path / "serve.log"
    with output.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                raise AssertionError(output.read_text(errors="replace"))
            threading.Event().wait(0.05)
        else:
            raise AssertionError("the server did not start")
        yield base, key
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serve_answers_and_refuses_what_it_must(server: tuple[str, str]) -> None:
    base, key = server
    headers = {"Authorization": f"ApiKey {key}", "Content-Type": "application/x-ndjson"}
    assert httpx.get(f"{base}/health/ready", timeout=10).json()["ready"] is True
    assert httpx.get(f"{base}/v1/rules", timeout=10).status_code == 401
    posted = httpx.post(
        f"{base}/v1/messages", content=sample("samples/canonical/children.jsonl"), headers=headers, timeout=30
    )
    assert posted.status_code == 422 and posted.json()["outcome"] == "rejected", posted.text  # the sample has errors

    def chunks() -> Iterator[bytes]:
        for _ in range(50):
            yield b"z" * 10_000

    chunked = httpx.post(f"{base}/v1/messages", content=chunks(), headers=headers, timeout=30)
    assert chunked.status_code == 413
    assert "server" not in chunked.headers
