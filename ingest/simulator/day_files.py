"""The per-day NDJSON event files, written from the chunks' sorted runs merged by write time."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np

from ingest.simulator.world import DAY_MS


class DayFileWriter:
    """Writes per-day NDJSON files from sorted runs, merging them by write time (stable)."""

    def __init__(self, folder: Path, day0: date, day0_ms: int):
        self.folder = folder
        self.day0 = day0
        self.day0_ms = day0_ms
        # day -> [[write times, lines blob, line offsets, first unwritten line], ...]
        self.pending: dict[int, list[list]] = {}
        self.handles: dict[int, object] = {}
        self.opened: set[int] = set()
        self.files = 0
        self.lines = 0
        self.bytes = 0

    def add(self, runs: dict) -> None:
        for day, (written_ms, blob, offsets) in runs.items():
            self.pending.setdefault(day, []).append([written_ms, blob, offsets, 0])

    def flush(self, watermark: int) -> None:
        """Write every pending line with write time < watermark (no later chunk can precede it)."""
        for day in sorted(self.pending):
            if self.day0_ms + day * DAY_MS >= watermark:
                continue
            runs = self.pending[day]
            takes = []
            for run in runs:
                written_ms, _, _, start = run
                takes.append(int(np.searchsorted(written_ms, watermark, side="left")) - start)
            if sum(takes):
                self._write(day, runs, takes)
            keep = []
            for run, take in zip(runs, takes, strict=True):
                run[3] += take
                if run[3] < len(run[0]):
                    keep.append(run)
            if keep:
                self.pending[day] = keep
            else:
                del self.pending[day]
        complete = [day for day in self.handles if self.day0_ms + (day + 1) * DAY_MS <= watermark]
        for day in complete:
            if day not in self.pending:  # complete: nothing later can belong to it
                self.handles.pop(day).close()

    def _write(self, day: int, runs: list, takes: list[int]) -> None:
        parts: list = []
        taking = [(run, take) for run, take in zip(runs, takes, strict=True) if take]
        if len(taking) == 1:
            (_, blob, offsets, start), take = taking[0]
            parts.append(memoryview(blob)[offsets[start] : offsets[start + take]])
        else:
            all_written = np.concatenate([run[0][run[3] : run[3] + take] for run, take in taking])
            run_ids = np.concatenate(
                [np.full(take, index, dtype=np.int64) for index, (_, take) in enumerate(taking)]
            )
            line_numbers = np.concatenate(
                [np.arange(run[3], run[3] + take, dtype=np.int64) for run, take in taking]
            )
            order = np.argsort(all_written, kind="stable")
            run_ids = run_ids[order]
            line_numbers = line_numbers[order]
            # Contiguous stretches of one run become one slice.
            breaks = (
                np.nonzero(
                    (run_ids[1:] != run_ids[:-1]) | (line_numbers[1:] != line_numbers[:-1] + 1)
                )[0]
                + 1
            )
            starts = np.concatenate(([0], breaks))
            ends = np.concatenate((breaks, [len(run_ids)]))
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                run = taking[run_ids[start]][0]
                offsets = run[2]
                first, last = line_numbers[start], line_numbers[end - 1]
                parts.append(memoryview(run[1])[offsets[first] : offsets[last + 1]])
        handle = self.handles.get(day)
        if handle is None:
            name = f"events-{(self.day0 + timedelta(days=day)).isoformat()}.ndjson"
            mode = "ab" if day in self.opened else "wb"
            handle = self.handles[day] = open(self.folder / name, mode)  # noqa: SIM115
            if day not in self.opened:
                self.opened.add(day)
                self.files += 1
        for part in parts:
            handle.write(part)
            self.bytes += len(part)
        self.lines += sum(takes)

    def close(self) -> None:
        self.flush(np.iinfo(np.int64).max)
        self.abort()

    def abort(self) -> None:
        for handle in self.handles.values():
            handle.close()
        self.handles.clear()
