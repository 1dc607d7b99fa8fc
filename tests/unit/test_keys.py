"""Key rotation keeps the previous keys verifying and bounds the keyring."""

from __future__ import annotations

import json

import pytest

from devkit.keys import rotated
from storefront.security.keyring import Keyring


def test_rotation_activates_a_new_key_and_keeps_the_old_when_rotated() -> None:
    before = json.dumps({"active_kid": "k1", "k1": "a" * 64})
    after = Keyring.parse(rotated(before))
    assert after.active_kid == "k2"
    assert after.keys["k1"] == b"a" * 64
    assert len(after.active_key) >= 32


def test_rotation_drops_the_oldest_keys_when_over_the_limit() -> None:
    secret = json.dumps({"active_kid": "k1", "k1": "a" * 64})
    for _ in range(4):
        secret = rotated(secret, keep=3)
    keyring = Keyring.parse(secret)
    assert keyring.active_kid == "k5"
    assert sorted(keyring.keys) == ["k3", "k4", "k5"]


def test_rotation_is_refused_when_it_would_drop_the_previous_key() -> None:
    with pytest.raises(ValueError, match="keep at least 2"):
        rotated(json.dumps({"active_kid": "k1", "k1": "a" * 64}), keep=1)
