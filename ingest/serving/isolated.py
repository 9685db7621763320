"""A sandbox query in a process of its own: a hard cap on its memory and a hard stop at its time.

:mod:`ingest.serving.sandbox` caps DuckDB's buffer pool and interrupts a query at its time limit,
but DuckDB checks for an interrupt between vectors only, and allocations outside the buffer pool
(a list from ``range(400000000)``, ``repeat`` of a huge string) are not counted against
``memory_limit``. One such call could run on for minutes, or take the machine's memory, in the
process of whoever asked: the dashboards' server or the shell's ``leadwh sql``.

:func:`run_sql` runs the statement in a child Python process (``python -m
ingest.serving.isolated``) whose data segment is capped (``RLIMIT_DATA``: an allocation past the
cap fails, and DuckDB reports it as out of memory) and which is killed when it is still running
``KILL_GRACE`` seconds after its time limit. The request and the answer cross the child's stdin
and stdout, pickled; errors come back as the sandbox's own exception types. The statement is
checked before the child starts, so refused text costs no process.

Start-up costs about 0.5-1 s (importing DuckDB and pandas); the serving file is opened read-only
by the child, as the sandbox opens it.
"""

from __future__ import annotations

import os
import pickle
import re
import resource
import subprocess
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

import duckdb

from ingest.serving import sandbox
from ingest.serving.sandbox import Limits, SqlRefused, SqlResult, SqlTimeout

#: The child's command line.
CHILD = [sys.executable, "-m", "ingest.serving.isolated"]
#: Seconds a child has, after its time limit, to report the interrupt before it is killed.
KILL_GRACE = 2.0
#: The child's data cap is this many times DuckDB's memory limit plus BASE_BYTES (DuckDB's
#: buffer pool, the fetched result and its pickled copy, Python and the libraries).
CAP_FACTOR = 2
BASE_BYTES = 768 * 2**20
#: Queries one process (the dashboards' server, shared by every viewer) runs at once; a query
#: waits for a free slot up to its own time limit. Each may use its whole memory cap.
MAX_RUNNING = 2
_slots = threading.BoundedSemaphore(MAX_RUNNING)

UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4}
UNITS.update({"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40})
MEMORY_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.I)


def size_in_bytes(text: str) -> int:
    """``"2GB"`` or ``"512 MiB"`` as bytes (DuckDB's memory_limit notation); ValueError else."""
    match = MEMORY_SIZE.match(text)
    if not match:
        raise ValueError(f"expected a memory size such as 512MB or 4GB, got {text!r}")
    return int(float(match[1]) * UNITS[match[2].lower()])


def data_cap(memory_limit: str) -> int:
    """The child's RLIMIT_DATA for a query with DuckDB memory limit ``memory_limit``."""
    return CAP_FACTOR * size_in_bytes(memory_limit) + BASE_BYTES


def run_sql(
    path: Path,
    sql: str,
    limits: Limits | None = None,
    *,
    fetch: str = "frame",
    memory_limit: str = sandbox.DEFAULT_MEMORY_LIMIT,
) -> SqlResult:
    """:func:`ingest.serving.sandbox.run_sql` in a child process (see the module's doc).

    Raises what the sandbox raises: SqlRefused, SqlTimeout (never ``still_running``: the child is
    killed), FileNotFoundError, duckdb.Error (``OutOfMemoryException`` past the data cap)."""
    statement = sandbox.read_only_statement(sql)
    limits = limits or Limits()
    if not Path(path).is_file():
        sandbox.connect(path)  # raises FileNotFoundError saying how to build
    request = {
        "path": str(path),
        "statement": statement,
        "limits": limits,
        "fetch": fetch,
        "memory_limit": memory_limit,
        "cap": data_cap(memory_limit),
    }
    if not _slots.acquire(timeout=limits.timeout):
        raise SqlTimeout(
            f"{MAX_RUNNING} other queries kept running for {limits.timeout:g} s, so this one did"
            " not start. Try again when they are done."
        )
    try:
        returncode, out, err = _run_child(request, limits.timeout + KILL_GRACE)
    finally:
        _slots.release()
    if returncode is None:
        raise SqlTimeout(
            f"The query ran longer than {limits.timeout:g} s and was stopped. Narrow it (a where"
            " clause on a date column, fewer columns) or raise the time limit."
        )
    if returncode != 0 or not out:
        raise duckdb.Error(_crash_message(returncode, err, memory_limit))
    outcome, value = pickle.loads(out)
    if outcome == "ok":
        return value
    raise _error(*value)


def _run_child(request: dict[str, Any], seconds: float) -> tuple[int | None, bytes, bytes]:
    """The child's exit status, stdout and stderr; status None when it was killed after
    ``seconds`` (or when the caller was interrupted: Ctrl-C)."""
    child = subprocess.Popen(
        CHILD, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        out, err = child.communicate(pickle.dumps(request), timeout=seconds)
    except subprocess.TimeoutExpired:
        return None, b"", b""
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return child.returncode, out, err


def _crash_message(returncode: int, err: bytes, memory_limit: str) -> str:
    last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    return (
        f"The query's process ended without an answer (exit status {returncode}): it probably ran"
        f" out of its memory cap ({memory_limit} for DuckDB). {last[0]}"
    ).strip()


#: Exception types the child reports by name, and how the parent raises them again.
OWN_ERRORS = {
    "SqlRefused": SqlRefused,
    "SqlTimeout": SqlTimeout,
    "FileNotFoundError": FileNotFoundError,
}


def _error(name: str, message: str) -> BaseException:
    if name in OWN_ERRORS:
        return OWN_ERRORS[name](message)
    if name == "MemoryError":  # Python's own allocation past the cap (fetching, pickling)
        return duckdb.OutOfMemoryException(
            f"Out of Memory Error: the result did not fit ({message})"
        )
    kind = getattr(duckdb, name, None)
    if isinstance(kind, type) and issubclass(kind, duckdb.Error):
        return kind(message)
    return duckdb.Error(f"{name}: {message}")


def _answer(request: dict[str, Any]) -> tuple[str, Any]:
    cap = request["cap"]
    resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
    try:
        result = sandbox.run_sql(
            Path(request["path"]),
            request["statement"],
            request["limits"],
            fetch=request["fetch"],
            memory_limit=request["memory_limit"],
        )
        return "ok", result
    except Exception as error:  # every error goes back to the parent, by name
        return "error", (type(error).__name__, str(error))


def main() -> None:
    request = pickle.loads(sys.stdin.buffer.read())
    outcome = _answer(request)
    try:
        answer = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError as error:
        answer = pickle.dumps(("error", ("MemoryError", str(error) or "pickling the result")))
    except Exception:  # a value that does not pickle
        answer = pickle.dumps(("error", ("Error", traceback.format_exc(limit=1))))
    sys.stdout.buffer.write(answer)
    sys.stdout.flush()
    os._exit(0)  # not waiting for a query DuckDB could not interrupt


if __name__ == "__main__":
    main()
