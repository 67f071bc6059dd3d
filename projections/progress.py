"""A progress bar on a terminal stream (plain text, no dependency): rebuilds and simulations."""

from __future__ import annotations

from typing import TextIO

WIDTH = 30


def bar(done: int, total: int) -> str:
    share = 1.0 if total <= 0 else min(1.0, done / total)
    filled = int(share * WIDTH)
    return f"[{'#' * filled}{'.' * (WIDTH - filled)}] {share * 100:5.1f}%"


class ProgressBar:
    """One line rewritten in place (`\\r`), ended with a newline when every view is done."""

    def __init__(self, stream: TextIO, label: str = "rebuild") -> None:
        self.stream, self.label = stream, label
        self._start: dict[str, int] | None = None
        self._finished = False

    def __call__(self, positions: dict[str, int], target: int, elapsed: float) -> None:
        if self._finished:
            return
        self._start = self._start or dict(positions)
        low = min(positions.values(), default=target)
        applied = low - min(self._start.values(), default=low)  # events of the log, in every view
        rate = applied / elapsed if elapsed > 0 else 0.0
        views = " ".join(f"{name} {pos}" for name, pos in positions.items())
        self.stream.write(f"\r{self.label} {bar(low, target)} {views} / {target}  "
                          f"{rate:,.0f} events/s  {elapsed:5.1f}s ")
        if low >= target:
            self.stream.write("\n")
            self._finished = True
        self.stream.flush()
