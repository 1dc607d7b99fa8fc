"""`make admin ARGS="--stack-name S origin-secret rotate [--finish]"`: a new X-Origin-Verify value, no request refused.

The API accepts the secret's `current` and `previous` values; the distribution sends `current`.

1. `origin-secret rotate` makes a new `current` and keeps the old one as `previous`. Every
   API function reads the secret again within 5 minutes, and then accepts both.
2. After those 5 minutes, deploy with `OriginSecretGeneration` raised by one
   (`sam deploy --parameter-overrides OriginSecretGeneration=2`): CloudFormation reads the
   secret again only when it updates the distribution; it then sends the new value.
3. Once CloudFront has deployed it (its status is `Deployed` again, a few minutes),
   `origin-secret rotate --finish` drops `previous`: the old value opens nothing any more.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from devkit.event_replay import physical_id

SECRET = "OriginSecret"


class OriginSecretError(Exception):
    """The rotation cannot run: the message says why."""


def secret_id(cloudformation: Any, stack: str) -> str:
    found = physical_id(cloudformation, stack, SECRET)
    if found is None:
        raise OriginSecretError(f"stack {stack!r} has no {SECRET}: is its API behind the CDN (ApiCdn=on)?")
    return found


def rotate(secretsmanager: Any, secret: str, *, finish: bool = False) -> dict[str, str]:
    """Writes the secret's next state; answers it with the values masked."""
    document = json.loads(secretsmanager.get_secret_value(SecretId=secret)["SecretString"])
    current = document.get("current")
    if not current:
        raise OriginSecretError("the secret has no current value: is it the stack's origin secret?")
    if finish:
        if "previous" not in document:
            raise OriginSecretError("there is no previous value to drop: rotate first")
        following = {"current": current}
    else:
        following = {"current": secrets.token_hex(24), "previous": current}
    secretsmanager.put_secret_value(SecretId=secret, SecretString=json.dumps(following))
    return {key: f"{value[:4]}…" for key, value in following.items()}
