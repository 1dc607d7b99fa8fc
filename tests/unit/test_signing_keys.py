"""The signing key set: a key is published before it signs, and stays published while its tokens live."""

from __future__ import annotations

import json

import pytest

from storefront.security.signing_keys import (
    GATEWAY_JWKS_CACHE_S,
    RETIRED_KEY_GRACE_S,
    KeySet,
    KeySetError,
    discovery_document,
    published_objects,
)

NOW = 1_800_000_000


def test_a_new_key_set_has_an_active_and_a_published_next_key_when_initialised() -> None:
    key_set = KeySet(()).initialised(NOW)
    assert sorted(key.status for key in key_set.keys) == ["active", "next"]
    assert {key["kid"] for key in key_set.jwks()["keys"]} == {key.kid for key in key_set.keys}
    assert KeySet.parse(key_set.dumps()) == key_set


def test_rotation_signs_with_the_key_published_at_the_previous_rotation_when_it_is_old_enough() -> None:
    first = KeySet(()).initialised(NOW)
    later = NOW + GATEWAY_JWKS_CACHE_S
    rotated = first.rotated(later)
    old_next = next(key for key in first.keys if key.status == "next")
    assert rotated.active.kid == old_next.kid  # published two hours before it signs
    assert {key.kid: key.status for key in rotated.keys}[first.active.kid] == "retired"
    new_next = next(key for key in rotated.keys if key.status == "next")
    assert new_next.kid not in {key.kid for key in first.keys}
    assert {key["kid"] for key in rotated.jwks()["keys"]} == {key.kid for key in rotated.keys}


def test_rotation_is_refused_when_the_next_key_may_still_be_unknown_to_the_gateway() -> None:
    key_set = KeySet(()).initialised(NOW)
    with pytest.raises(KeySetError, match="API Gateway may not know it"):
        key_set.rotated(NOW + 60)
    assert key_set.rotated(NOW + 60, min_next_age_s=0).active.kid != key_set.active.kid


def test_retired_key_stays_published_until_its_tokens_have_expired_then_goes() -> None:
    key_set = KeySet(()).initialised(NOW)
    once = key_set.rotated(NOW, min_next_age_s=0)
    twice = once.rotated(NOW + RETIRED_KEY_GRACE_S - 1, min_next_age_s=0)
    assert key_set.active.kid in {key.kid for key in twice.keys}
    thrice = twice.rotated(NOW + RETIRED_KEY_GRACE_S + 1, min_next_age_s=0)
    assert key_set.active.kid not in {key.kid for key in thrice.keys}


def test_published_objects_hold_no_private_material_when_built() -> None:
    key_set = KeySet(()).initialised(NOW)
    objects = published_objects(key_set, "https://cdn.example")
    jwks = json.loads(objects[".well-known/jwks.json"])
    assert all(set(jwk) <= {"kty", "kid", "use", "alg", "n", "e"} for jwk in jwks["keys"])
    assert b"PRIVATE" not in b"".join(objects.values())
    assert json.loads(objects[".well-known/openid-configuration"]) == discovery_document("https://cdn.example")
    assert discovery_document("https://cdn.example")["jwks_uri"] == "https://cdn.example/.well-known/jwks.json"


@pytest.mark.parametrize(
    "secret",
    [
        "not json",
        '{"keys": [{"kid": "a"}]}',
        '{"keys": [{"kid": "a", "status": "x", "private_key": "p", "published_at": 1}]}',
    ],
)
def store_key_set_is_refused_when_the_secret_is_malformed(secret: str) -> None:
    with pytest.raises(KeySetError):
        KeySet.parse(secret)


def store_key_set_without_keys_has_no_active_key_until_initialised() -> None:
    empty = KeySet.parse('{"keys": []}')
    assert not empty.is_initialised
    with pytest.raises(KeySetError):
        _ = empty.active
