"""What the directory and CAF consumers do, done in the test's process: apply the events a submission routed."""

from __future__ import annotations

from sqlalchemy import select

from gateway.events import Event
from gateway.routing.tables import outbox
from gateway.views import DirectoryEntry, DirectoryUpdate
from tests.gateway.http.conftest import Api

__all__ = ["apply_routed_events"]


def apply_routed_events(api: Api) -> tuple[list[DirectoryEntry], list[str]]:
    """Apply every routed directory and CAF event (in outbox order) to the app's stores; the directory
    entries they made (shielded children's too) and the CAF ids."""
    with api.database.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.kind, outbox.c.body).order_by(outbox.c.outbox_id)).all()
    stores = {"directory": api.app.state.directory_store, "caf": api.app.state.caf_store}
    entries: list[DirectoryEntry] = []
    cafs: list[str] = []
    for kind, body in rows:
        store = stores.get(kind.split(".")[0])
        if store is None:
            continue
        event = Event.model_validate_json(body)
        store.apply(event)
        if event.kind == "directory.child.upsert":
            entries.append(DirectoryUpdate.model_validate(event.payload).entry)
        elif event.subject.startswith("caf:"):
            cafs.append(event.subject.removeprefix("caf:"))
    return entries, cafs
