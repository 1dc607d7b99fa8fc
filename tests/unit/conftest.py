from __future__ import annotations

import pytest

from storefront.security.keyring import Keyring, keyring_cache
from tests.aws_fixtures import cursor_secret


@pytest.fixture(autouse=True)
def keyring(monkeypatch: pytest.MonkeyPatch) -> Keyring:
    """Unit tests never reach Secrets Manager: the cursor keyring is served from memory."""
    current = Keyring.parse(cursor_secret())
    monkeypatch.setattr(keyring_cache, "current", lambda: current)
    monkeypatch.setattr(keyring_cache, "key_for", lambda kid: current.keys.get(kid))
    return current
