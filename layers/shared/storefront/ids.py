"""Time-sortable identifiers (ULIDs), made here so every entity's ids look alike.

A ULID is 48 bits of milliseconds since the epoch and 80 random bits, in Crockford's
base32: 26 characters that sort by creation time. Written out (a dozen lines) rather
than imported, to keep a dependency out of every function's cold start.
"""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid(now_ms: int | None = None) -> str:
    milliseconds = int(time.time() * 1000) if now_ms is None else now_ms
    value = (milliseconds & ((1 << 48) - 1)) << 80 | secrets.randbits(80)
    return "".join(_ALPHABET[(value >> shift) & 31] for shift in range(125, -1, -5))
