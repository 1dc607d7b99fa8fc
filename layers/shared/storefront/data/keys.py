"""Every key of the single table is built here, and only here.

Key typos are the commonest single-table bug; one module makes them impossible to
scatter. See docs/data-model.md for the entity chart and access patterns.
"""

from __future__ import annotations

SEPARATOR = "#"


def _key(*parts: str) -> str:
    return SEPARATOR.join(parts)


def health_probe() -> tuple[str, str]:
    """A fixed key the health check reads: proves the table answers reads."""
    return _key("HEALTH"), _key("PROBE")
