"""The checks every operations config file shares: the YAML's top-level mapping, unknown keys,
names, durations, cron schedules, time zones, numbers; each failure a one-line
:class:`ConfigError` naming the file and the entry."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingest.settings import ConfigError, get_settings, read_yaml

NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|minutes?|h|hours?|d|days?)\s*$", re.I)
#: The longest duration or span of days a config may give (ten years): beyond it, date arithmetic
#: overflows (a `last: 99999999999d` stopped every build) and nothing sensible is meant.
MAX_DAYS = 3650
#: The largest number a config may give where no smaller bound applies.
MAX_NUMBER = 1e12


def read_mapping(path: Path) -> dict[str, Any]:
    data = read_yaml(path) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def one_line_errors(setting: str) -> Callable:
    """A loader whose every failure is a :class:`ConfigError` naming the file: a shape the checks
    here did not foresee (a list where a mapping belongs, ...) must not end in a traceback."""

    def wrap(load: Callable) -> Callable:
        @functools.wraps(load)
        def guarded(path: Path | None = None, *args, **kwargs):
            try:
                return load(path, *args, **kwargs)
            except ConfigError:
                raise
            except (TypeError, AttributeError, ValueError, KeyError, OverflowError) as exc:
                shown = path or getattr(get_settings(kwargs.get("environ")), setting)
                raise ConfigError(
                    f"{shown}: cannot be used ({type(exc).__name__}: {exc}); "
                    "see the comments at the top of the file for its shape"
                ) from None

        return guarded

    return wrap


def check_keys(where: str, given: Any, allowed: set[str]) -> None:
    if not isinstance(given, dict):
        raise ConfigError(
            f"{where}: expected a mapping of {sorted(allowed)}, got {type(given).__name__}"
        )
    extra = sorted(set(given) - allowed)
    if extra:
        raise ConfigError(f"{where}: unknown key(s) {extra}; allowed: {sorted(allowed)}")


def check_unique(names: list[str], what: str) -> None:
    """`what` (the file and the kind of name) must not repeat a name."""
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ConfigError(f"{what} must be unique; repeated: {repeated}")


def parse_duration(text: str | int | float, where: str) -> timedelta:
    """'90m', '24h', '24 hours', '7d' -> timedelta (a bare number means hours), at most
    MAX_DAYS."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        value, unit = float(text), "h"
    elif match := DURATION.match(str(text)):
        value, unit = float(match.group(1)), match.group(2).lower()[0]
    else:
        raise ConfigError(f"{where}: {text!r} is not a duration; write e.g. 90m, 24h or 7d")
    days = value / {"m": 1440, "h": 24, "d": 1}[unit]
    if not 0 <= days <= MAX_DAYS:  # also NaN
        raise ConfigError(f"{where}: {text!r} is not a duration of 0 to {MAX_DAYS} days")
    return timedelta(days=days)


CRON_FIELD = re.compile(
    r"^(\*|\d+(-\d+)?|[a-z]{3}(-[a-z]{3})?)(/\d+)?(,(\d+(-\d+)?|[a-z]{3}))*$", re.I
)
CRON_ALIASES = ("@hourly", "@daily", "@weekly", "@monthly")


def check_cron(text: str, where: str) -> str:
    """A five-field cron string (minute hour day month weekday) or @hourly/@daily/..."""
    ok = isinstance(text, str) and (
        text.strip() in CRON_ALIASES
        or (len(text.split()) == 5 and all(CRON_FIELD.match(f) for f in text.split()))
    )
    if not ok:
        raise ConfigError(f"{where}: {text!r} is not a cron schedule; write e.g. '0 6 * * *'")
    return text.strip()


def as_text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected text, got {type(value).__name__} {value!r}")
    return value


def as_timezone(value: Any, where: str) -> str:
    try:
        ZoneInfo(as_text(value, where))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{where}: {value!r} is not a time zone; write e.g. UTC or America/Chicago"
        ) from None
    return value


def as_number(value: Any, where: str, minimum: float = 0.0, maximum: float = MAX_NUMBER) -> float:
    """A finite number in [minimum, maximum] (NaN and infinity, which YAML writes .nan and .inf,
    pass a `<` check and then fail at run time)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not (ok and math.isfinite(value) and minimum <= value <= maximum):
        raise ConfigError(
            f"{where}: expected a number from {minimum:g} to {maximum:g}, got {value!r}"
        )
    return float(value)


def as_whole(value: Any, where: str, what: str, maximum: int = MAX_DAYS) -> int:
    """A whole number from 1 to `maximum` (`what` names it in the error: "days", ...)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise ConfigError(f"{where} must be a whole number of {what} from 1 to {maximum}")
    return value


def limit_of(key: str) -> float:
    """The largest value of a numeric setting, by its name's unit (`window_days`, `max_hours`)."""
    if key.endswith("_days"):
        return MAX_DAYS
    if key.endswith("_hours"):
        return MAX_DAYS * 24
    return MAX_NUMBER
