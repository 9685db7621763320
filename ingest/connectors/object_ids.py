"""LeadConduit ids are ObjectIds: 24 hex digits, the first 8 the epoch seconds of creation."""

from __future__ import annotations

from datetime import UTC, datetime


def is_object_id(text: str) -> bool:
    if len(text) != 24:
        return False
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True


def id_time(object_id: str) -> datetime:
    """When an id was made (to the second)."""
    return datetime.fromtimestamp(int(object_id[:8], 16), tz=UTC)


def time_prefix(moment: datetime) -> str:
    """The 8 hex digits every id made at `moment` starts with."""
    return f"{max(0, int(moment.timestamp())):08x}"


def floor_id(moment: datetime) -> str:
    """The smallest id made at `moment` (the rest zero): `after_id` of "everything since"."""
    return time_prefix(moment) + "0" * 16
