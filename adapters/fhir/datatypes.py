"""Reading FHIR datatypes (HumanName, Address, ContactPoint, dates, codings, extensions) into canonical values.

Input is the JSON of a resource that fhir.resources has already validated, so shapes are right; what is
checked here is what fhir.resources does not check (required value sets, partial dates). The FHIR value
sets these helpers translate (name use, address use, telecom system and use) are FHIR's own fixed
enumerations, so their small tables live here; code systems between suppliers live in ``mappings/codes``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from adapters.fhir.context import Collector, Entry
from adapters.fhir.systems import ADDRESS_USE_EXTENSION
from gateway import Address, ContactDetail, PersonName

__all__ = [
    "codings",
    "dict_items",
    "dict_value",
    "extension_values",
    "read_addresses",
    "read_contacts",
    "read_date",
    "read_datetime",
    "read_names",
    "string_value",
]

_NAME_USE: Final = {
    None: "usual", "usual": "usual", "official": "usual", "old": "former", "maiden": "former",
    "nickname": "preferred", "temp": "alias", "anonymous": "alias",
}  # fmt: skip
_ADDRESS_USE: Final = {
    None: "home",
    "home": "home",
    "temp": "temporary",
    "old": "previous",
    "work": "other",
    "billing": "other",
}
_CANONICAL_ADDRESS_USES: Final = frozenset({"home", "temporary", "placement", "previous", "other"})
_TELECOM_SYSTEM: Final = {
    "phone": "phone",
    "sms": "phone",
    "email": "email",
    "fax": "other",
    "pager": "other",
    "url": "other",
    "other": "other",
}
_TELECOM_USE: Final = {None: None, "home": "home", "work": "work", "mobile": "mobile", "temp": "other", "old": "other"}


def dict_items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """(index, item) for the JSON objects in a list (anything else is skipped)."""
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def dict_value(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def _items(raw: Any, single: bool) -> list[tuple[int, dict[str, Any]]]:
    if single:
        return [(0, raw)] if isinstance(raw, dict) else []
    return dict_items(raw)


def string_value(value: Any) -> str | None:
    """A non-blank string, stripped; otherwise ``None``."""
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    return None


def codings(concept: Any) -> list[tuple[int, dict[str, Any]]]:
    """The (index, Coding) pairs of a CodeableConcept."""
    return dict_items(concept.get("coding")) if isinstance(concept, dict) else []


def extension_values(element: Any, url: str) -> list[tuple[int, dict[str, Any]]]:
    """(index, extension) for the extensions of ``element`` with ``url``."""
    if not isinstance(element, dict):
        return []
    return [(index, ext) for index, ext in dict_items(element.get("extension")) if ext.get("url") == url]


def read_date(value: Any) -> date | None:
    """The calendar date of a FHIR ``date`` or ``dateTime`` (as written), or ``None`` when partial or absent."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def read_datetime(value: Any) -> datetime | None:
    """A FHIR ``dateTime``/``instant`` with a time and zone, as an aware datetime; otherwise ``None``."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _period_dates(
    element: dict[str, Any], entry: Entry, path: str, collector: Collector
) -> tuple[date | None, date | None]:
    period = element.get("period")
    if not isinstance(period, dict):
        return None, None
    dates = []
    for bound in ("start", "end"):
        raw = period.get(bound)
        value = read_date(raw)
        if raw is not None and value is None:
            collector.issue(
                "map/fhir/partial-date",
                "warning",
                f"period.{bound} is not a full date; it was not carried",
                entry,
                f"{path}/period/{bound}",
            )
        dates.append(value)
    return dates[0], dates[1]


def read_names(
    raw: Any, entry: Entry, path: str, canonical: str, collector: Collector, *, element: str, single: bool = False
) -> tuple[PersonName, ...]:
    """HumanName[] (or one HumanName with ``single``) -> canonical names. Names with only ``text`` are
    reported, not guessed into parts."""
    names: list[PersonName] = []
    for index, name in _items(raw, single):
        where = path if single else f"{path}/{index}"
        use = name.get("use")
        canonical_use = _NAME_USE.get(use if isinstance(use, str) else None)
        if canonical_use is None:
            collector.issue(
                "map/fhir/code-unknown", "error", "HumanName.use is not a FHIR name-use code", entry, f"{where}/use"
            )
            continue
        given = tuple(part for part in (string_value(item) for item in name.get("given") or ()) if part)
        family = string_value(name.get("family"))
        if not given and family is None:
            if string_value(name.get("text")):
                collector.issue(
                    "map/fhir/name-text-only",
                    "warning",
                    "a name has only text, not given and family parts; it was not carried",
                    entry,
                    where,
                )
            continue
        collector.source(f"{canonical}/{len(names)}", entry, where, element)
        names.append(PersonName(use=canonical_use, given=given, family=family))
    return tuple(names)


def read_addresses(
    raw: Any, entry: Entry, path: str, canonical: str, collector: Collector, *, element: str, single: bool = False
) -> tuple[Address, ...]:
    """Address[] -> canonical addresses (use, lines, town, postcode, period)."""
    addresses: list[Address] = []
    for index, address in _items(raw, single):
        where = path if single else f"{path}/{index}"
        use = address.get("use")
        canonical_use = _ADDRESS_USE.get(use if isinstance(use, str) else None)
        for _, ext in extension_values(address, ADDRESS_USE_EXTENSION):
            code = ext.get("valueCode")
            if code in _CANONICAL_ADDRESS_USES:
                canonical_use = code
        if canonical_use is None:
            collector.issue(
                "map/fhir/code-unknown", "error", "Address.use is not a FHIR address-use code", entry, f"{where}/use"
            )
            continue
        lines = tuple(part for part in (string_value(item) for item in address.get("line") or ()) if part)
        if not lines and (text := string_value(address.get("text"))):
            lines = (text,)
        town = string_value(address.get("city"))
        postcode = string_value(address.get("postalCode"))
        start, end = _period_dates(address, entry, where, collector)
        if not (lines or town or postcode):
            continue
        collector.source(f"{canonical}/{len(addresses)}", entry, where, element)
        addresses.append(Address(use=canonical_use, lines=lines, town=town, postcode=postcode, start=start, end=end))
    return tuple(addresses)


def read_contacts(
    raw: Any, entry: Entry, path: str, canonical: str, collector: Collector, *, element: str
) -> tuple[ContactDetail, ...]:
    """ContactPoint[] -> canonical contacts (phone/email/other; home/work/mobile/other)."""
    contacts: list[ContactDetail] = []
    for index, point in dict_items(raw):
        where = f"{path}/{index}"
        value = string_value(point.get("value"))
        if value is None:
            continue
        raw_system = point.get("system")
        system = _TELECOM_SYSTEM.get(raw_system) if isinstance(raw_system, str) else "other"
        raw_use = point.get("use")
        if system is None or (raw_use is not None and raw_use not in _TELECOM_USE):
            collector.issue(
                "map/fhir/code-unknown", "error", "ContactPoint.system or .use is not a FHIR code", entry, where
            )
            continue
        collector.source(f"{canonical}/{len(contacts)}", entry, where, element)
        contacts.append(ContactDetail(system=system, value=value, use=_TELECOM_USE[raw_use]))
    return tuple(contacts)
