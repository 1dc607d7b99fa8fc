"""The cursor signing keys (HMAC), read from Secrets Manager and cached per container.

Their own secret, not the access tokens' keys: a function that only pages lists can
sign cursors and nothing else. The secret is a JSON object:
{"active_kid": "k2", "k1": "<key>", "k2": "<key>"}. New cursors are signed with the
active key; every key still in the secret verifies, so a rotation adds a key and moves
`active_kid`, and live cursors keep working. The cache is refreshed every few minutes,
and at once (at most every 30 s) when a key is missing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from storefront import aws
from storefront.refreshing import Refreshing
from storefront.settings import get_settings

MIN_KEY_BYTES = 32
KID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class KeyringError(Exception):
    """The secret is missing or malformed: a deployment fault, never a client's."""


@dataclass(frozen=True)
class Keyring:
    active_kid: str
    keys: dict[str, bytes]

    @property
    def active_key(self) -> bytes:
        return self.keys[self.active_kid]

    @classmethod
    def parse(cls, secret_string: str) -> Keyring:
        try:
            document = json.loads(secret_string)
        except json.JSONDecodeError as error:
            raise KeyringError("the cursor secret is not JSON") from error
        if not isinstance(document, dict):
            raise KeyringError("the cursor secret is not a JSON object")
        active_kid = document.get("active_kid")
        keys = {kid: str(value).encode() for kid, value in document.items() if kid != "active_kid"}
        if not isinstance(active_kid, str) or active_kid not in keys:
            raise KeyringError("active_kid does not name a key of the secret")
        for kid, key in keys.items():
            if not KID_PATTERN.match(kid) or len(key) < MIN_KEY_BYTES:
                raise KeyringError(f"key {kid!r} is misnamed or shorter than {MIN_KEY_BYTES} bytes")
        return cls(active_kid=active_kid, keys=keys)


def _read_keyring() -> Keyring:
    secret = aws.client("secretsmanager").get_secret_value(SecretId=get_settings().cursor_secret_arn)
    return Keyring.parse(secret["SecretString"])


class _KeyringCache:
    def __init__(self) -> None:
        self._keyring = Refreshing(_read_keyring, fresh_for=300.0, miss_interval=30.0)

    def current(self) -> Keyring:
        return self._keyring.current()

    def key_for(self, kid: str) -> bytes | None:
        key = self._keyring.current().keys.get(kid)
        if key is None and (reread := self._keyring.reread_after_miss()) is not None:
            return reread.keys.get(kid)
        return key

    def clear(self) -> None:
        self._keyring.clear()


keyring_cache = _KeyringCache()
