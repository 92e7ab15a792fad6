"""Progress while transcribing: seconds of audio done, and the time left at the speed so far (#16)."""

from __future__ import annotations

import pytest

from bctcoder.transcribe.progress_eta import ProgressClock, seconds_left


def test_seconds_left_at_the_speed_so_far():
    assert seconds_left(0, 600, 5) is None                     # nothing done: unknown
    assert seconds_left(60, 600, 30) == pytest.approx(270)    # 30 s per 60 s of audio, 540 s of audio to go
    assert seconds_left(600, 600, 100) == 0
    assert seconds_left(700, 600, 100) == 0                    # never negative


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_over_tracks_is_monotonic_and_bounded():
    calls: list[tuple[float, float, float | None]] = []
    now = FakeClock()
    clock = ProgressClock(100.0, lambda *a: calls.append(a), clock=now)   # two tracks of 60 and 40 s
    clock.begin()
    clock.start_track(60)
    now.now += 10
    clock.reached(20)              # 10 s of work for 20 s of audio: 80 s of audio left → 40 s
    now.now += 5
    clock.reached(15)              # segments out of order: progress never goes back
    clock.reached(75)              # past the track's end: capped at the track
    clock.finish_track()
    clock.start_track(40)
    now.now += 5
    clock.reached(20)
    clock.finish_track()
    done = [c[0] for c in calls]
    assert calls[0] == (0.0, 100.0, None)
    assert done == [0.0, 20.0, 20.0, 60.0, 60.0, 80.0, 100.0]
    assert calls[1][2] == pytest.approx(40.0)
    assert calls[-1][2] == 0
    assert all(c[1] == 100.0 for c in calls)


def test_no_callback_is_fine():
    clock = ProgressClock(10, None)
    clock.begin()
    clock.start_track(10)
    clock.reached(5)
    clock.finish_track()
    assert clock.done == 10
