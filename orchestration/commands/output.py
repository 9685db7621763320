"""What a command prints: progress and results on stdout, warnings on stderr."""

from __future__ import annotations

import sys


def say(message: str) -> None:
    print(message, flush=True)


def warn(message: str) -> None:
    print(f"leadwh: warning: {message}", file=sys.stderr, flush=True)
