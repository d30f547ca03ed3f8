"""How far a long build is: a bar on a terminal, plain lines elsewhere (CI logs, pipes).

A build of a few hundred pages takes a second or two and shows nothing; a catalogue of
thousands of projects takes long enough that staff want to see it move. Nothing is shown
before `DELAY` seconds have passed, so short builds stay quiet, and a log gets lines only for
rendering at least `PLAIN_FROM` pages (one line per tenth).
"""

from __future__ import annotations

import os
import sys
import time

DELAY = float(os.environ.get("YUNZHAO_PROGRESS_DELAY", 1.0))   # seconds before anything is shown
LINE_EVERY = 10      # plain lines: one per this many percent
PLAIN_FROM = 1000    # plain lines only for this many pages or more

STAGES = {"content": "reading content", "pages": "rendering pages"}


class Progress:
    def __init__(self, stream=None, bar: bool | None = None, delay: float = DELAY):
        self.stream = stream or sys.stderr
        self.delay = delay
        if bar is None:
            bar = self.stream.isatty() and os.environ.get("CI") != "true" and os.environ.get("TERM") != "dumb"
        self.bar = bar
        self.started = time.monotonic()
        self.last_step = -1
        self.drawn = False

    def __call__(self, stage: str, done: int = 0, total: int = 0) -> None:
        if time.monotonic() - self.started < self.delay:
            return
        label = STAGES.get(stage, stage)
        if self.bar:
            self._draw(label, done, total)
        elif total >= PLAIN_FROM:
            step = done * 100 // total // LINE_EVERY
            if step != self.last_step:
                self.last_step = step
                self.stream.write(f"{label}: {done}/{total} ({done * 100 // total}%)\n")
                self.stream.flush()

    def _draw(self, label: str, done: int, total: int) -> None:
        width = 30
        if total:
            filled = width * done // total
            text = f"\r{label:<22} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        else:
            text = f"\r{label:<22}"
        self.stream.write(text.ljust(72))
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """Clear the bar so the summary starts on a clean line."""
        if self.bar and self.drawn:
            self.stream.write("\r" + " " * 72 + "\r")
            self.stream.flush()
