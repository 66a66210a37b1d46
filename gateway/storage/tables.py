"""The gateway's tables (SQLAlchemy Core). Schema changes go through an Alembic revision, never create_all."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "audit_head",
    "audit_log",
    "caf_assessments",
    "caf_consents",
    "caf_inbox",
    "caf_purges",
    "caf_versions",
    "directory_carers",
    "directory_children",
    "directory_inbox",
    "directory_involvements",
    "directory_local_ids",
    "directory_name_keys",
    "directory_versions",
    "directory_views",
    "directory_withheld",
    "match_blocking_keys",
    "match_decisions",
    "match_identities",
    "match_non_matches",
    "match_reviews",
    "message_children",
    "message_files",
    "message_purges",
    "messages",
    "metadata",
    "store_events",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

messages = Table(
    "messages",
    metadata,
    Column("message_id", String(128), primary_key=True),
    Column("correlation_id", String(128), nullable=True),
    Column("supplier_id", String(128), nullable=False),
    Column("la_code", String(3), nullable=False),
    Column("format_id", String(64), nullable=True),
    Column("format_version", String(32), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("payload_sha256", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("record_count", Integer, nullable=False, default=0),
    Column("error_count", Integer, nullable=False, default=0),
    Column("warning_count", Integer, nullable=False, default=0),
    Column("issues", JSON, nullable=False),
    Column("canonical", JSON, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("payload_removed_at", DateTime(timezone=True), nullable=True),  # revision 0204
    Column("payload_removed_reason", String(16), nullable=True),  # "retention" | "purge"
    Index(None, "supplier_id", "received_at"),
    Index(None, "status"),
)
"""Every received message: envelope and outcome, and its payload (raw files, canonical form) until the
retention policy or a purge removes it — the row itself stays as a tombstone (ids, counts, issues, hash)."""

message_files = Table(
    "message_files",
    metadata,
    Column("message_id", String(128), ForeignKey("messages.message_id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
)
"""The raw files of each message, byte for byte as received (a submission may be several files)."""

message_children = Table(
    "message_children",
    metadata,
    Column("message_id", String(128), primary_key=True),  # no foreign key: messages rows are never deleted,
    Column("child_key", String(128), primary_key=True),  # and a per-row key check would cost every outcome
    Index(None, "child_key"),
)
"""Which children each processed message holds (revision 0204), by keys that carry no identifier in clear:
the gateway child id and ``lc-`` digests of the council's ids. A purge finds every payload about the child."""

message_purges = Table(
    "message_purges",
    metadata,
    Column("child_key", String(128), primary_key=True),
    Column("purged_at", DateTime(timezone=True), nullable=False),
    Column("message_id", String(128), nullable=False),  # the purging message
)
"""A purge tombstone per child key (revision 0204; keys as in ``message_children``, digests only): a message
received before ``purged_at`` that holds the child — one never processed, so never indexed — cannot bring the
child back when it is processed or replayed (:func:`gateway.storage.payloads.purged_positions`)."""


# =========================================================================================================
# Audit log (issue #7, revision 0201): a tamper-evident hash chain. See gateway/audit.py.
# =========================================================================================================

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_user", String(128), nullable=False),
    Column("actor_org", String(32), nullable=False),
    Column("action", String(64), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("subject", String(160), nullable=True),
    Column("query", JSON, nullable=False),
    Column("result_ids", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index(None, "subject"),
    Index(None, "actor_user", "at"),
)
"""Append-only: who did what, why, with which query, the outcome and the ids returned (never content)."""

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("mac", String(64), nullable=True),
    CheckConstraint("id = 1", name="single_row"),
)
"""One row: the last sequence number and hash (MAC-signed when a key is configured), to detect truncation."""

# =========================================================================================================
# Events raised by the stores (issue #7): break-glass alerts and consent withdrawals, for the relay.
# =========================================================================================================

store_events = Table(
    "store_events",
    metadata,
    Column("event_id", String(128), primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("body", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Index(None, "sent_at", "created_at"),
)
"""Events a store raised in the same transaction as its change; a relay publishes and marks them sent."""

# =========================================================================================================
# Directory (issue #7, revision 0202): the ContactPoint data set and nothing more. No column holds case
# information; JSON columns hold only the value types named in their comments (validated on write/read).
# =========================================================================================================

directory_inbox = Table(
    "directory_inbox",
    metadata,
    Column("event_id", String(128), primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)
"""Every event the directory consumer has processed (a redelivery is then harmless)."""

directory_versions = Table(
    "directory_versions",
    metadata,
    Column("subject", String(128), primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("purged_at", DateTime(timezone=True), nullable=True),
)
"""Highest event version applied per child (kept after a purge, so a stale upsert cannot resurrect it)."""

directory_children = Table(
    "directory_children",
    metadata,
    Column("child_id", String(128), primary_key=True),
    Column("la_code", String(3), nullable=False),
    Column("nhs_number", String(16), nullable=True, index=True),
    Column("upn", String(16), nullable=True, index=True),
    Column("names", JSON, nullable=False),  # PersonName[]
    Column("birth_date", Date, nullable=True, index=True),
    Column("sex", String(1), nullable=True),
    Column("address", JSON, nullable=True),  # Address (never for a shielded child)
    Column("address_status", String(20), nullable=False),
    Column("postcode_key", String(10), nullable=True, index=True),
    Column("shielded", Boolean, nullable=False),
    Column("education_setting", JSON, nullable=True),  # Organisation
    Column("gp_practice", JSON, nullable=True),  # Organisation
    Column("caf_indicator", JSON, nullable=True),  # CafIndicator
    Column("retain_until", Date, nullable=True, index=True),
    Column("archived_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
"""One row per child: identity, the address shown (or its absence), education setting, GP, CAF indicator."""

directory_local_ids = Table(
    "directory_local_ids",
    metadata,
    Column("child_id", String(128), ForeignKey("directory_children.child_id", ondelete="CASCADE"), primary_key=True),
    Column("la_code", String(3), primary_key=True),
    Column("la_child_id", String(32), primary_key=True),
    Index(None, "la_code", "la_child_id"),
)
"""Councils' own ids for the child (LA number + LA child id)."""

directory_name_keys = Table(
    "directory_name_keys",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("child_id", String(128), ForeignKey("directory_children.child_id", ondelete="CASCADE"), primary_key=True),
    Index(None, "child_id"),
)
"""Phonetic search keys of every name (usual and former) for fuzzy name search."""

directory_carers = Table(
    "directory_carers",
    metadata,
    Column("child_id", String(128), ForeignKey("directory_children.child_id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("carer_id", String(128), nullable=True),
    Column("names", JSON, nullable=False),  # PersonName[]
    Column("relationship", Text, nullable=True),
    Column("parental_responsibility", Boolean, nullable=True),
    Column("contacts", JSON, nullable=False),  # ContactDetail[] (empty for a shielded child)
    Column("address", JSON, nullable=True),  # Address (never for a shielded child)
)
"""People with parental responsibility or care, and their contacts."""

directory_involvements = Table(
    "directory_involvements",
    metadata,
    Column("child_id", String(128), ForeignKey("directory_children.child_id", ondelete="CASCADE"), primary_key=True),
    Column("involvement_id", String(160), primary_key=True),
    Column("recorded_by", String(16), nullable=False),
    Column("service_type", Text, nullable=False),
    Column("organisation", JSON, nullable=True),  # Organisation
    Column("organisation_code", String(32), nullable=True),
    Column("practitioner", JSON, nullable=True),  # Practitioner (work contacts only)
    Column("role", Text, nullable=True),
    Column("start_date", Date, nullable=True),
    Column("end_date", Date, nullable=True),
    Column("lead_professional", Boolean, nullable=False),
    Column("sensitive_category", String(32), nullable=True),
    Column("shared_on", String(16), nullable=True),
    CheckConstraint(
        "sensitive_category IS NULL OR COALESCE(shared_on, '') IN ('consent', 'safeguarding')",
        name="sensitive_needs_basis",
    ),
)
"""Who is working with the child: service, organisation, practitioner, start/end, lead professional."""

directory_withheld = Table(
    "directory_withheld",
    metadata,
    Column("child_id", String(128), ForeignKey("directory_children.child_id", ondelete="CASCADE"), primary_key=True),
    Column("details", JSON, nullable=False),  # WithheldDetails
)
"""A shielded child's address and contacts (and its carers'): read only by an audited break glass."""

directory_views = Table(
    "directory_views",
    metadata,
    Column("child_id", String(128), primary_key=True),
    Column("source", String(128), primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("la_code", String(3), nullable=True),
    Column("view", JSON, nullable=True),  # DirectoryUpdate; NULL: the source's view was moved away (tombstone)
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
"""Each supplier record's own view of a child (revision 0103, issue #5), from which the entry above is merged;
never read by practitioners. ``source`` is identity resolution's record id (a digest, no identifier in clear);
``*`` holds the purge floor. A row without a view keeps only the version, so a stale event cannot return."""

# =========================================================================================================
# CAF store (issue #7, revision 0203): versioned CAF forms and the consents that allow sharing them.
# =========================================================================================================

caf_inbox = Table(
    "caf_inbox",
    metadata,
    Column("event_id", String(128), primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)
"""Every event the CAF consumer has processed."""

caf_versions = Table(
    "caf_versions",
    metadata,
    Column("subject", String(128), primary_key=True),
    Column("version", BigInteger, nullable=False),
)
"""Highest event version applied per CAF (subject ``caf:<caf_id>``)."""

caf_assessments = Table(
    "caf_assessments",
    metadata,
    Column("caf_id", String(128), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("child_id", String(128), nullable=True, index=True),
    Column("la_code", String(3), nullable=False),
    Column("status", String(16), nullable=False),
    Column("assessor_org_code", String(32), nullable=True),
    Column("lead_professional_id", String(128), nullable=True),
    Column("review_date", Date, nullable=True),
    Column("form", JSON, nullable=False),  # CafAssessment without its consents
    Column("stored_at", DateTime(timezone=True), nullable=False),
    Column("child_version", BigInteger, nullable=True),  # revision 0204: Event.child_version, orders purges
)
"""Every version of every CAF form."""

caf_purges = Table(
    "caf_purges",
    metadata,
    Column("child_id", String(128), primary_key=True),
    Column("la_code", String(3), primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("purged_at", DateTime(timezone=True), nullable=False),
)
"""A council's purge of a child in the CAF store (revision 0204): the child's version at the purge. Every CAF
version the council sent about the child before it was deleted; an upsert at or below it is stale."""

caf_consents = Table(
    "caf_consents",
    metadata,
    Column("caf_id", String(128), primary_key=True),
    Column("consent_id", String(128), primary_key=True),
    Column("purpose", String(32), nullable=False),
    Column("given_at", DateTime(timezone=True), nullable=False),
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
    Column("withdrawal_recorded_at", DateTime(timezone=True), nullable=True),
    Column("record", JSON, nullable=False),  # Consent (its withdrawn_at is the column's, which is sticky)
)
"""Consents to share each CAF. A recorded withdrawal is never undone by a later (or replayed) copy."""


# --- Duplicate matching (gateway.matching; revision 0101) -------------------------------------------------
# The identity projection of every record the matcher has seen, its blocking keys, the review queue of
# possible duplicates, remembered "not the same child" pairs, and an append-only log of the decisions.

match_identities = Table(
    "match_identities",
    metadata,
    Column("record_id", String(128), primary_key=True),
    Column("child_id", String(64), nullable=True),
    Column("status", String(16), nullable=False),
    Column("identity", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("held_message_id", String(128), nullable=True),  # revision 0102
    Column("held_position", Integer, nullable=True),
    Index(None, "child_id"),
    Index(None, "status"),
)
"""One row per matched record: its identity (JSON), the gateway child id it is linked to (NULL while a
person has still to decide) and its status: ``linked`` or ``pending`` (awaiting review). A pending record of
an accepted message names that message and its position there (``held_*``) until it is released."""

match_blocking_keys = Table(
    "match_blocking_keys",
    metadata,
    Column("block_key", String(200), primary_key=True),
    Column(
        "record_id",
        String(128),
        ForeignKey("match_identities.record_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Index(None, "record_id"),
)
"""Blocking keys (``gateway.matching.blocking``): candidates are the records sharing a key."""

match_reviews = Table(
    "match_reviews",
    metadata,
    Column("review_id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(128), ForeignKey("match_identities.record_id"), nullable=False),
    Column("candidate_id", String(128), ForeignKey("match_identities.record_id"), nullable=False),
    Column("grade", String(16), nullable=False),
    Column("weight", Float, nullable=False),
    Column("comparison", JSON, nullable=False),
    Column("rule", String(64), nullable=True),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("record_id", "candidate_id"),
    Index(None, "status"),
    Index(None, "candidate_id"),  # revision 0103: a batch reads the reviews naming its records either way round
)
"""Possible duplicates awaiting a person: ``open``, then ``same``, ``not-same`` or ``superseded``. The
comparison is stored as levels and note codes (never values), so the explanation can be shown again."""

match_decisions = Table(
    "match_decisions",
    metadata,
    Column("decision_id", Integer, primary_key=True, autoincrement=True),
    Column("action", String(16), nullable=False),
    Column("record_id", String(128), nullable=False),
    Column("other_id", String(128), nullable=True),
    Column("review_id", Integer, nullable=True),
    Column("child_id_before", String(64), nullable=True),
    Column("child_id_after", String(64), nullable=True),
    Column("reverses", Integer, nullable=True),
    Column("decided_by", String(128), nullable=False),
    Column("reason", Text, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Index(None, "record_id"),
)
"""Append-only audit of match decisions (``same``, ``not-same``, ``unmerge``, ``reopen``): who, when, why.
Rows are never updated or deleted; a reversal is a new row pointing at the one it reverses."""

match_non_matches = Table(
    "match_non_matches",
    metadata,
    Column("record_a", String(128), primary_key=True),
    Column("record_b", String(128), primary_key=True),
    Column("decision_id", Integer, ForeignKey("match_decisions.decision_id"), nullable=False),
    Index(None, "record_b"),  # revision 0103: looked up by either record
)
"""Pairs a person decided are not the same child (``record_a < record_b``): never asked again."""
