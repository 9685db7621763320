"""Named points where a test can freeze the pipeline to kill it there (crash tests).

With `LEADWH_PAUSE_AT=<name>` and `LEADWH_PAUSE_MARKER=<file>` in the environment, the process
that reaches the point writes its pid to the marker file and waits, mid-operation, to be killed.
Without them a point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

# Test hooks, not settings: ingest.settings.TEST_HOOKS lists them so `leadwh` does not warn.
PAUSE_AT = "LEADWH_PAUSE_AT"
PAUSE_MARKER = "LEADWH_PAUSE_MARKER"


def pause_point(name: str) -> None:
    if os.environ.get(PAUSE_AT) != name:
        return
    marker = os.environ.get(PAUSE_MARKER)
    if marker:
        Path(marker).write_text(f"{os.getpid()} {name}\n")
    while True:  # until killed
        time.sleep(1)
