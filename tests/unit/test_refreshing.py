"""Kept values (secrets, published keys): read once, again when old, and after a miss at most once per interval."""

from __future__ import annotations

import pytest

from storefront.refreshing import Refreshing


class _Source:
    def __init__(self) -> None:
        self.reads = 0
        self.now = 1000.0
        self.failing = False

    def read(self) -> int:
        if self.failing:
            raise ConnectionError("the secret could not be read")
        self.reads += 1
        return self.reads

    def clock(self) -> float:
        return self.now


def _kept(source: _Source) -> Refreshing[int]:
    return Refreshing(source.read, fresh_for=300.0, miss_interval=30.0, clock=source.clock)


def test_the_value_is_read_once_and_again_only_when_older_than_fresh_for() -> None:
    source = _Source()
    kept = _kept(source)

    assert [kept.current(), kept.current()] == [1, 1]
    source.now += 300.0
    assert kept.current() == 1
    source.now += 0.1
    assert kept.current() == 2


def test_a_miss_reads_again_at_most_once_per_interval_and_says_when_it_did_not() -> None:
    source = _Source()
    kept = _kept(source)
    kept.current()

    assert kept.reread_after_miss() is None  # just read: a flood of misses costs nothing
    source.now += 30.1
    assert kept.reread_after_miss() == 2
    assert kept.reread_after_miss() is None
    assert kept.current() == 2


def test_a_failed_read_keeps_the_value_held_and_the_next_call_reads_again() -> None:
    source = _Source()
    kept = _kept(source)
    kept.current()
    source.now += 301.0
    source.failing = True

    with pytest.raises(ConnectionError):
        kept.current()

    source.failing = False
    assert kept.current() == 2


def test_cleared_the_next_call_reads() -> None:
    source = _Source()
    kept = _kept(source)
    kept.current()

    kept.clear()

    assert kept.reread_after_miss() == 2
