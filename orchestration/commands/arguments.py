"""Argument types for `leadwh`: each returns the value or raises argparse's one-line error."""

from __future__ import annotations

import argparse
import math
from datetime import date, datetime


def positive_int(text: str) -> int:
    """A whole number >= 1 (--leads, --days, --workers, --max-rows)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a day as YYYY-MM-DD, got {text!r}") from None


def iso_time(text: str) -> str:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a time as ISO 8601 (2026-11-20T06:00:00), got {text!r}"
        ) from None
    return text


def positive_seconds(text: str) -> float:
    """A time limit in seconds, above 0 (--timeout)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value


def memory_size(text: str) -> str:
    """A DuckDB memory size such as 512MB or 4GB (--memory-limit)."""
    from ingest.serving.isolated import size_in_bytes

    try:
        size_in_bytes(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text.strip()


def sql_text(text: str) -> str:
    if not text.strip().rstrip(";").strip():
        raise argparse.ArgumentTypeError(
            'the query is empty; e.g. "select * from meta.publish_info"'
        )
    return text
