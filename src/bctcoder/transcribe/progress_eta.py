"""Progress while whisper works, with an estimate of the time left.

faster-whisper yields segments one by one as it decodes; the end time of each segment says how far into the
audio it has got. Tracks are transcribed one after another, so the work is the sum of the tracks' lengths and
"done" is the length of the finished tracks plus the position in the current one. The time left assumes the
rest goes at the speed so far.
"""

from __future__ import annotations

import time
from collections.abc import Callable

TranscribeProgress = Callable[[float, float, float | None], None]
"""Called as ``progress(done_seconds, total_seconds, eta_seconds)``; ``eta_seconds`` is None until known."""


def seconds_left(done: float, total: float, elapsed: float) -> float | None:
    """Seconds still to wait if the remaining ``total - done`` seconds of audio go at the speed so far
    (``elapsed`` seconds of work for ``done`` seconds of audio); None before anything is done."""
    if done <= 0 or elapsed < 0:
        return None
    remaining = max(0.0, total - done)
    return remaining * elapsed / done


class ProgressClock:
    """Turns positions in the audio into ``progress(done, total, eta)`` calls.

    ``start_track(duration)`` before each track, ``reached(position)`` for each segment's end (seconds into
    the current track), ``finish_track()`` after it. Progress never goes backwards and never passes the total.
    """

    def __init__(self, total: float, callback: TranscribeProgress | None,
                 clock: Callable[[], float] = time.monotonic):
        self.total = max(0.0, float(total))
        self.callback = callback
        self.clock = clock
        self.started = clock()
        self.offset = 0.0          # seconds of audio in the tracks already finished
        self.track = 0.0           # length of the current track
        self.done = 0.0

    def _report(self, done: float) -> None:
        self.done = min(self.total, max(self.done, done))
        if self.callback is not None:
            self.callback(self.done, self.total, seconds_left(self.done, self.total, self.clock() - self.started))

    def begin(self) -> None:
        """Say that the work starts (nothing done, time left unknown)."""
        self.started = self.clock()
        if self.callback is not None:
            self.callback(0.0, self.total, None)

    def start_track(self, duration: float) -> None:
        """A track of ``duration`` seconds starts after those done so far."""
        self.track = max(0.0, float(duration))

    def reached(self, position: float) -> None:
        """Whisper has got ``position`` seconds into the current track."""
        self._report(self.offset + min(self.track, max(0.0, position)))

    def finish_track(self) -> None:
        """The current track is done (the silence after its last words included)."""
        self.offset += self.track
        self.track = 0.0
        self._report(self.offset)
