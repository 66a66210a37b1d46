"""The directory view holds the ContactPoint data set only, with shielding and the sensitive-service rule."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import orjson
import pytest
from hypothesis import given, settings

from gateway import (
    Address,
    CafAssessment,
    CareLeaver,
    Carer,
    ChildRecord,
    Consent,
    ContactDetail,
    DirectoryEntry,
    FieldSource,
    Involvement,
    LookedAfterEpisode,
    PersonName,
    Practitioner,
    SourceLocation,
)
from gateway.views import (
    DirectoryUpdate,
    current_address,
    directory_refusals,
    directory_update,
    directory_view,
    retention_date,
)
from tests.gateway.store_data import AT, CASE, child_record, full_records

CASE_DATE = re.compile(r"190[0-9]-[0-9]{2}-[0-9]{2}")
"""Case dates are generated in 1901-1909."""

CONSENT = Consent(
    consent_id="k-1",
    purpose="sensitive_service",
    given_by_role="child",
    given_at=datetime(2024, 1, 1, tzinfo=UTC),
)


def _sensitive(**fields: object) -> Involvement:
    return Involvement(service_type="sexual-health-clinic", sensitive_category="sexual_health", **fields)  # type: ignore[arg-type]


def test_the_entry_carries_the_contactpoint_data_set() -> None:
    record = child_record(
        names=(PersonName(given=("William",), family="Smith"), PersonName(use="former", family="Jones")),
        record={
            "caf_assessments": (
                CafAssessment(caf_id="caf-1", lead_professional=Practitioner(practitioner_id="p-9"), conclusions="x"),
            )
        },
    )
    entry = directory_view(record, at=AT)
    assert entry.child_id == "c-1"
    assert [name.family for name in entry.names] == ["Smith", "Jones"]
    assert entry.address is not None and entry.address.postcode == "NW1 1AA"
    assert entry.address_status == "known"
    assert entry.carers[0].contacts[0].value == "020 7946 0000"
    assert entry.involvements[0].lead_professional
    assert entry.caf is not None and entry.caf.holder == Practitioner(practitioner_id="p-9")
    assert "conclusions" not in orjson.dumps(entry.model_dump(mode="json")).decode()


def test_no_known_address_is_recorded_as_such() -> None:
    entry = directory_view(child_record(addresses=(), no_known_address=True), at=AT)
    assert entry.address is None
    assert entry.address_status == "no_known_address"
    assert directory_view(child_record(addresses=()), at=AT).address_status == "not_recorded"


def test_current_address_prefers_the_one_in_use_else_the_last_known() -> None:
    old = Address(postcode="OLD", start=date(2010, 1, 1), end=date(2020, 1, 1))
    newer = Address(postcode="NEWER", start=date(2020, 1, 1), end=date(2023, 1, 1))
    current = Address(postcode="NOW", start=date(2023, 1, 1))
    assert current_address((old, current, newer), AT.date()) == current
    assert current_address((old, newer), AT.date()) == newer
    assert current_address((), AT.date()) is None


def test_shielding_withholds_the_childs_and_carers_address_and_contacts_but_keeps_them_apart() -> None:
    record = child_record(shielded=True, shielding_reason="domestic abuse")
    update = directory_update(record, at=AT)
    entry = update.entry
    assert entry.shielded and entry.address is None and entry.address_status == "withheld"
    assert entry.carers[0].contacts == () and entry.carers[0].address is None
    assert entry.carers[0].names  # who the carer is stays visible
    assert update.withheld is not None
    assert update.withheld.address is not None and update.withheld.address.postcode == "NW1 1AA"
    assert update.withheld.carers[0].contacts[0].value == "020 7946 0000"
    text = orjson.dumps(update.model_dump(mode="json")).decode()
    assert "domestic abuse" not in text  # the shielding reason never travels


def test_sensitive_involvement_needs_active_consent_or_safeguarding_reason() -> None:
    record = child_record(
        involvements=(
            _sensitive(involvement_id="a", consent_id="k-1"),
            _sensitive(involvement_id="b", safeguarding_reason="risk of harm"),
            _sensitive(involvement_id="c"),
            _sensitive(involvement_id="d", consent_id="k-missing"),
            _sensitive(involvement_id="e", consent_id="k-2"),
        ),
        record={
            "consents": (
                CONSENT,
                CONSENT.model_copy(update={"consent_id": "k-2", "withdrawn_at": datetime(2025, 1, 1, tzinfo=UTC)}),
            )
        },
    )
    entry = directory_view(record, at=AT)
    assert [(item.involvement_id, item.shared_on) for item in entry.involvements] == [
        ("a", "consent"),
        ("b", "safeguarding"),
    ]
    assert "risk of harm" not in entry.model_dump_json()
    refusals = directory_refusals(record, at=AT, record_index=3)
    assert [(issue.rule, issue.canonical_path) for issue in refusals] == [
        ("directory/sensitive-service-no-basis", "/records/3/involvements/2"),
        ("directory/sensitive-service-consent-missing", "/records/3/involvements/3"),
        ("directory/sensitive-service-consent-inactive", "/records/3/involvements/4"),
    ]
    assert all(issue.severity == "warning" and "sexual" not in issue.message for issue in refusals)


def test_a_caf_sharing_consent_does_not_allow_a_sensitive_involvement() -> None:
    caf_consent = CONSENT.model_copy(update={"purpose": "caf_sharing"})
    record = child_record(involvements=(_sensitive(consent_id="k-1"),), record={"consents": (caf_consent,)})
    assert directory_view(record, at=AT).involvements == ()


def test_refusals_are_located_in_the_suppliers_file() -> None:
    source = SourceLocation(file="careteam.json", path="/entry/4/resource")
    record = child_record(
        involvements=(_sensitive(),),
        record={"lineage": (FieldSource(field="/involvements/0/service_type", source=source, step="fhir"),)},
    )
    (issue,) = directory_refusals(record, at=AT)
    assert issue.location == source
    assert issue.child == "Lc1"


def test_retention_is_18_or_25_for_a_care_leaver_who_consented() -> None:
    born = date(2008, 2, 29)
    assert retention_date(child_record(birth_date=born), at=AT) == date(2026, 3, 1)
    care = {"looked_after_episodes": (LookedAfterEpisode(episode_id="e1"),)}
    assert retention_date(child_record(birth_date=born, record=care), at=AT) == date(2026, 3, 1)
    consent = Consent(
        consent_id="r", purpose="information_sharing", given_by_role="child", given_at=datetime(2024, 1, 1, tzinfo=UTC)
    )
    leaver = child_record(birth_date=born, record={**care, "consents": (consent,)})
    assert retention_date(leaver, at=AT) == date(2033, 3, 1)
    assert retention_date(child_record(birth_date=None), at=AT) is None
    # a care leaver known from the care-leaver return alone (no episode sent any more) keeps the same period
    returned = {"care_leaver": CareLeaver(in_touch="YES", activity="F2", accommodation="D1")}
    assert retention_date(child_record(birth_date=born, record={**returned, "consents": (consent,)}), at=AT) == date(
        2033, 3, 1
    )
    assert retention_date(child_record(birth_date=born, record=returned), at=AT) == date(2026, 3, 1)  # no consent


def test_a_record_without_a_child_id_cannot_enter_the_directory() -> None:
    with pytest.raises(ValueError, match="child id"):
        directory_view(child_record(local_ids=(), child_id=None), at=AT)  # type: ignore[arg-type]


def test_directory_entry_is_exported_and_frozen() -> None:
    entry = directory_view(child_record(), at=AT)
    assert isinstance(entry, DirectoryEntry)
    with pytest.raises(ValueError, match="frozen"):
        entry.child_id = "other"  # type: ignore[misc]
    with pytest.raises(ValueError, match="Extra inputs"):
        DirectoryEntry.model_validate({"child_id": "c", "assessments": []})


@settings(max_examples=150, deadline=None)
@given(full_records())
def test_no_case_or_caf_value_reaches_the_directory_payload(record: ChildRecord) -> None:
    update = directory_update(record, at=AT)
    text = orjson.dumps(update.model_dump(mode="json")).decode()
    assert CASE not in text
    assert CASE_DATE.search(text) is None
    assert DirectoryUpdate.model_validate_json(text) == update
    # Everything the directory does not show is either withheld (shielded) or absent.
    if record.child.shielded:
        assert update.entry.address is None
        assert all(not carer.contacts and carer.address is None for carer in update.entry.carers)


def test_carer_contacts_are_kept_only_for_carers_with_any() -> None:
    record = child_record(
        shielded=True,
        carers=(Carer(names=(PersonName(family="A"),)), Carer(contacts=(ContactDetail(system="phone", value="1"),))),
    )
    withheld = directory_update(record, at=AT).withheld
    assert withheld is not None
    assert [carer.position for carer in withheld.carers] == [1]
