"""What a dataset folder of the landing zone holds: every entry, classified, in a stable order.

The landing step (land.py) and the landing watcher (watch.py) both look at the zone through
``walk``, so they agree on what is a file to read and what is not:

- a regular file, or a symlink to a regular file inside the landing zone, is read;
- anything else is *accounted for, not read*: a dangling symlink, a symlink pointing outside
  the landing zone (never followed), a symlink to a folder (never followed: loops, the same files
  twice), a FIFO, socket or device (never opened: reading a FIFO would block the run);
- in-progress files are left for a later look: names starting with one dot (hidden; sync tools
  write their temporary files so), ``*.tmp`` and ``*.part``. Names starting with ``..`` are not
  hidden files: they are walked and landed like any other;
- a name that is not valid UTF-8 is recorded with its undecodable bytes escaped (``\\xff``), and
  the entry says so.
- a name (of the file or a folder above it) holding what looks like an SSN (``123-45-6789``,
  ``123_45_6789``, ``ssn123456789``) is *not read*, and recorded with those digits masked
  (``***-**-6789``): the name would reach the manifest, the raw rows' ``source_file``, the
  marts, the serving file and Dagster's run config, none of which may hold an SSN in clear.
  Renamed, the file lands.

Plain Python: no database, no Dagster; nothing is opened, only ``lstat``/``stat``.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

IN_PROGRESS_SUFFIXES = (".tmp", ".part")

#: An SSN in a name: 3-2-4 digits with one separator repeated, or 9 digits after an SSN key word
#: (the names' subset of ingest.landing.redact's patterns; a 9-digit run alone is a timestamp or
#: a batch number more often than an SSN).
SSN_IN_NAME = re.compile(
    r"(?<![0-9])[0-9]{3}([-_. ])[0-9]{2}\1[0-9]{4}(?![0-9])"
    r"|(?i:ssn|social[-_. ]?security(?:[-_. ]?(?:number|num|no))?)[-_. =]{0,3}[0-9]{9}(?![0-9])"
)
_DIGIT = re.compile(r"[0-9]")
NAME_HOLDS_SSN = "file name holds what looks like an SSN (masked here), not read: rename it"


def masked_name(relative: str) -> str | None:
    """``relative`` with every SSN in it masked (``***-**-6789``), or None when it holds none."""

    def mask(match: re.Match) -> str:  # every digit but the last four (key words have none)
        text = match.group(0)
        return _DIGIT.sub("*", text[:-4]) + text[-4:]

    masked = SSN_IN_NAME.sub(mask, relative)
    return None if masked == relative else masked


@dataclass(frozen=True)
class Entry:
    path: Path  # where it is (the name as the file system has it)
    relative: str  # relative to the dataset folder, valid UTF-8: the manifest's key
    size: int
    mtime_ns: int
    ctime_ns: int
    problem: str | None = None  # why it is not read; None for a file to read
    note: str | None = None  # a remark for the manifest (a name that is not UTF-8)


def in_progress(name: str) -> bool:
    """A hidden name (one leading dot, not ``..``) or a temporary suffix: still being written."""
    hidden = name.startswith(".") and not name.startswith("..")
    return hidden or name.endswith(IN_PROGRESS_SUFFIXES)


def printable_name(relative: str) -> str:
    """The name with undecodable bytes escaped (``\\xff``): always valid UTF-8."""
    return relative.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _within(path: str, zone: str) -> bool:
    return path == zone or path.startswith(zone.rstrip(os.sep) + os.sep)


def _classify(path: Path, own: os.stat_result, zone: str) -> tuple[os.stat_result, str | None]:
    """The stat to record (the target's for a followed symlink) and the problem, if any; `own`
    is the entry's own (lstat)."""
    if stat.S_ISREG(own.st_mode):
        return own, None
    if not stat.S_ISLNK(own.st_mode):
        return own, f"{_kind(own.st_mode)}, not read"
    target = os.path.realpath(path)
    if not _within(target, zone):
        return own, "symlink to outside the landing zone, not followed"
    try:
        followed = os.stat(target)
    except OSError:
        return own, "dangling symlink (its target does not exist)"
    if stat.S_ISDIR(followed.st_mode):
        return own, "symlink to a folder, not followed"
    if not stat.S_ISREG(followed.st_mode):
        return own, f"symlink to {_kind(followed.st_mode)}, not read"
    return followed, None


def walk(root: Path, zone: Path) -> Iterator[Entry]:
    """Every entry under ``root`` (a dataset folder of the landing zone ``zone``), sorted by
    name, in-progress ones left out. Entries removed while walking are skipped."""
    if not root.is_dir():
        return
    zone_path = os.path.realpath(zone)
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except FileNotFoundError:
            continue
        except OSError as exc:  # e.g. no permission: the folder is accounted for
            if prefix:
                st = folder.lstat()
                problem = f"folder cannot be listed ({type(exc).__name__}), not read"
                relative = printable_name(prefix.rstrip("/"))
                yield Entry(folder, relative, 0, st.st_mtime_ns, st.st_ctime_ns, problem)
            continue
        subfolders = []
        for entry in entries:  # the listing's file types spare a stat per folder and symlink
            name = entry.name
            if in_progress(name):
                continue
            path = folder / name
            relative = prefix + name
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append((path, relative + "/"))
                    continue
                st, problem = _classify(path, entry.stat(follow_symlinks=False), zone_path)
            except FileNotFoundError:
                continue
            printable = printable_name(relative)
            note = None if printable == relative else "file name is not valid UTF-8 (escaped)"
            masked = masked_name(printable)
            if masked is not None:
                printable, problem = masked, NAME_HOLDS_SSN
            yield Entry(path, printable, st.st_size, st.st_mtime_ns, st.st_ctime_ns, problem, note)
        stack.extend(reversed(subfolders))
