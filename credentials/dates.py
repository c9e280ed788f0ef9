"""XML Schema dateTime values as credentials use them (validFrom, created, awardedDate...)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

# xsd:dateTimeStamp-like: a date, a time, optional fraction, and a time zone (Z or +hh:mm).
_DATETIME = re.compile(
    r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


def parse_datetime(value: object) -> datetime | None:
    """A timezone-aware datetime for an xsd:dateTime string, or None if it is not one.

    A value without a time zone is read as UTC, as the VC data model's examples intend.
    """
    if not isinstance(value, str) or not _DATETIME.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_datetime(moment: datetime) -> str:
    """Seconds precision, UTC, with a ``Z`` -- the form we write in credentials."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
