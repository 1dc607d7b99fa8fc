"""A value read from a slow source (a secret, a published object), kept per execution environment.

Every cache of a secret or of published keys works this way, so each says only what it
reads: `current()` answers the kept value and reads it again when there is none or it is
older than `fresh_for` seconds (a rotation is seen within minutes). `reread_after_miss()`
is for a caller that found nothing it wanted in the kept value (an unknown key id, a
header that matches no value): it reads again only when the kept value is older than
`miss_interval` seconds, so a flood of forged requests costs at most one read per
interval, and answers None when it did not read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Refreshing[T]:
    def __init__(
        self,
        load: Callable[[], T],
        *,
        fresh_for: float = 300.0,
        miss_interval: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.load, self.fresh_for, self.miss_interval = load, fresh_for, miss_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._value: T | None = None
        self._loaded_at = 0.0

    def _read(self) -> T:
        value = self.load()  # when it raises, what was kept stays, and the next call reads again
        self._value, self._loaded_at = value, self._clock()
        return value

    def current(self) -> T:
        with self._lock:
            if self._value is None or self._clock() - self._loaded_at > self.fresh_for:
                return self._read()
            return self._value

    def reread_after_miss(self) -> T | None:
        with self._lock:
            if self._value is not None and self._clock() - self._loaded_at <= self.miss_interval:
                return None
            return self._read()

    def clear(self) -> None:
        with self._lock:
            self._value, self._loaded_at = None, 0.0
