"""The access tokens' RS256 key set: private keys in a secret, public keys published as a JWKS.

The secret holds `{"keys": [{kid, status, private_key (PKCS#8 PEM), published_at, retired_at}]}`
with one `active` key (signs), one `next` key (published, not signing yet) and the
`retired` keys whose tokens may still be alive. API Gateway's JWT authorizer caches the
JWKS for up to two hours, so a key must be published that long before it signs: a
rotation promotes the `next` key (published since the previous rotation) and publishes a
new `next`. A retired key stays published until every token it signed has expired.

RS256, not ES256: the HTTP API's JWT authorizer accepts only RSA algorithms.
Only the auth function and the key-management function import this module (it needs
`cryptography`, which no other function ships).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, replace
from typing import Any, Literal

ALGORITHM = "RS256"
RSA_KEY_BITS = 2048
JWKS_KEY = ".well-known/jwks.json"
DISCOVERY_KEY = ".well-known/openid-configuration"
# API Gateway may keep a JWKS this long: the next key is published at least this early.
GATEWAY_JWKS_CACHE_S = 2 * 3600
# A retired key stays published this long after it stopped signing (tokens live 15 min).
RETIRED_KEY_GRACE_S = 3600
_PUBLISHED_MAX_AGE_S = 300

KeyStatus = Literal["active", "next", "retired"]


class KeySetError(Exception):
    """The key secret is missing or malformed, or a rotation is not safe yet."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    status: KeyStatus
    private_key: str  # PKCS#8 PEM
    published_at: int
    retired_at: int | None = None

    def public_jwk(self) -> dict[str, Any]:
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
        from jwt.algorithms import RSAAlgorithm

        private = load_pem_private_key(self.private_key.encode(), password=None)
        if not isinstance(private, RSAPrivateKey):
            raise KeySetError(f"key {self.kid} is not an RSA key")
        jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
        # `use` says it all; RFC 7517 advises against also sending `key_ops`.
        return {"kty": jwk["kty"], "n": jwk["n"], "e": jwk["e"], "kid": self.kid, "use": "sig", "alg": ALGORITHM}


def generate_key(status: KeyStatus, now: int) -> SigningKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    kid = f"{time.strftime('%Y%m%d', time.gmtime(now))}-{secrets.token_hex(4)}"
    return SigningKey(kid=kid, status=status, private_key=pem, published_at=now)


@dataclass(frozen=True)
class KeySet:
    keys: tuple[SigningKey, ...]

    @classmethod
    def parse(cls, secret_string: str) -> KeySet:
        try:
            document = json.loads(secret_string)
            keys = tuple(
                SigningKey(
                    kid=str(item["kid"]),
                    status=item["status"],
                    private_key=str(item["private_key"]),
                    published_at=int(item["published_at"]),
                    retired_at=None if item.get("retired_at") is None else int(item["retired_at"]),
                )
                for item in document.get("keys", [])
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise KeySetError("the signing key secret is not a key set") from error
        if any(key.status not in ("active", "next", "retired") for key in keys):
            raise KeySetError("a signing key has an unknown status")
        return cls(keys)

    def dumps(self) -> str:
        return json.dumps(
            {
                "keys": [
                    {
                        "kid": key.kid,
                        "status": key.status,
                        "private_key": key.private_key,
                        "published_at": key.published_at,
                        "retired_at": key.retired_at,
                    }
                    for key in self.keys
                ]
            }
        )

    def _one(self, status: KeyStatus) -> SigningKey | None:
        found = [key for key in self.keys if key.status == status]
        if len(found) > 1:
            raise KeySetError(f"the key set has {len(found)} {status} keys")
        return found[0] if found else None

    @property
    def active(self) -> SigningKey:
        key = self._one("active")
        if key is None:
            raise KeySetError("the key set has no active key: deploy the stack or run `make rotate-key`")
        return key

    @property
    def is_initialised(self) -> bool:
        return self._one("active") is not None

    def initialised(self, now: int) -> KeySet:
        """An active and a next key: the first ones, usable at once (nothing was published before)."""
        if self.is_initialised:
            return self
        return KeySet((generate_key("active", now), generate_key("next", now)))

    def rotated(self, now: int, *, min_next_age_s: int = GATEWAY_JWKS_CACHE_S) -> KeySet:
        """The next key signs, the active one retires, a new next key is made; expired ones go."""
        nxt, active = self._one("next"), self.active
        if nxt is None:
            raise KeySetError("the key set has no next key to promote")
        age = now - nxt.published_at
        if age < min_next_age_s:
            raise KeySetError(
                f"the next key was published {age} s ago; API Gateway may not know it for "
                f"{min_next_age_s - age} s more (wait, or force it knowing tokens may be refused)"
            )
        kept = [
            key for key in self.keys if key.status == "retired" and now - (key.retired_at or 0) < RETIRED_KEY_GRACE_S
        ]
        return KeySet(
            (
                replace(nxt, status="active"),
                replace(active, status="retired", retired_at=now),
                *kept,
                generate_key("next", now),
            )
        )

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in self.keys]}


def discovery_document(issuer: str) -> dict[str, Any]:
    """The OpenID discovery document API Gateway reads at `<issuer>/.well-known/openid-configuration`."""
    return {
        "issuer": issuer,
        "jwks_uri": f"{issuer}/{JWKS_KEY}",
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
    }


def published_objects(key_set: KeySet, issuer: str) -> dict[str, bytes]:
    """The static objects to publish: every key of the set is public before it signs."""
    return {
        JWKS_KEY: json.dumps(key_set.jwks(), separators=(",", ":")).encode(),
        DISCOVERY_KEY: json.dumps(discovery_document(issuer), separators=(",", ":")).encode(),
    }


PUBLISHED_CACHE_CONTROL = f"public, max-age={_PUBLISHED_MAX_AGE_S}"
