"""Rotate the token signing key: `make rotate-key` (local) or `... --stack-name NAME`.

Rotation adds a new random key, makes it the active one, and keeps the previous keys
(up to --keep in all) so tokens signed a moment ago still verify until they expire.
Functions pick the new key up within their keyring cache time (five minutes).
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
from typing import Any

import boto3

from devkit.localstate import local_client

_KID_NUMBER = re.compile(r"^k(\d+)$")


def rotated(secret_string: str, *, keep: int = 3) -> str:
    """The secret with a new active key and at most `keep` keys, newest first kept."""
    if keep < 2:
        raise ValueError("keep at least 2 keys: the previous one must verify live tokens")
    document: dict[str, Any] = json.loads(secret_string)
    keys = {kid: value for kid, value in document.items() if kid != "active_kid"}
    numbers = [int(match.group(1)) for kid in keys if (match := _KID_NUMBER.match(kid))]
    new_kid = f"k{max(numbers, default=0) + 1}"
    keys[new_kid] = secrets.token_urlsafe(48)
    # Oldest keys go first; the insertion order of the JSON object is the age order.
    kept = dict(list(keys.items())[-keep:])
    return json.dumps({"active_kid": new_kid, **kept})


def _stack_secret(stack_name: str) -> tuple[Any, str]:
    stack = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}
    return boto3.client("secretsmanager"), outputs["JwtSecretArn"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack-name", help="a deployed stack (default: the running local runtime)")
    parser.add_argument("--keep", type=int, default=3, help="keys kept in the secret, the new one included")
    arguments = parser.parse_args(argv)
    if arguments.stack_name:
        client, secret_id = _stack_secret(arguments.stack_name)
    else:
        client, secret_id = local_client("secretsmanager"), local_secret_id()
    current = client.get_secret_value(SecretId=secret_id)["SecretString"]
    new_secret = rotated(current, keep=arguments.keep)
    client.put_secret_value(SecretId=secret_id, SecretString=new_secret)
    print(f"active signing key is now {json.loads(new_secret)['active_kid']} in {secret_id}", file=sys.stderr)
    return 0


def local_secret_id() -> str:
    from devkit.localstate import read_state

    return str(read_state()["secret_id"])


if __name__ == "__main__":
    raise SystemExit(main())
