"""Rotate the access tokens' signing keys: `make rotate-key` (local) or `... STACK=name`.

A rotation makes the `next` key (published with the JWKS since the previous rotation)
the signing one, retires the old one (still published until its tokens have expired),
and publishes a new `next` key. API Gateway may cache the JWKS for two hours, so on a
stack the next key must have been public that long: `--force` skips the wait, at the
risk of a few refused tokens. Locally the runtime's verifier re-reads the JWKS at once.
On a stack it invokes the stack's key-management function (output SigningKeysFunctionName),
so the operator needs no access to the keys themselves.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import boto3

from devkit import admin
from storefront.security.signing_keys import KeySetError


def rotate_stack(stack_name: str, *, force: bool) -> str:
    _, outputs = admin.stack_target(stack_name)
    function = outputs.get("SigningKeysFunctionName")
    if not function:
        raise admin.TargetError(f"stack {stack_name!r} has no SigningKeysFunctionName output: deploy this version")
    answer = boto3.client("lambda").invoke(
        FunctionName=function, Payload=json.dumps({"action": "rotate", "force": force}).encode()
    )
    payload = json.loads(answer["Payload"].read() or b"{}")
    if answer.get("FunctionError"):
        raise admin.TargetError(f"rotation refused: {payload.get('errorMessage', payload)}")
    return _describe(payload)


def rotate_local(data_dir: Path) -> str:
    admin.configure(admin.local_environment(data_dir))
    from storefront.security.key_store import rotate_keys

    key_set = rotate_keys(min_next_age_s=0)
    return _describe({"keys": [{"kid": key.kid, "status": key.status} for key in key_set.keys]})


def _describe(summary: dict[str, Any]) -> str:
    keys: list[Any] = summary.get("keys") or []
    return "signing keys: " + ", ".join(f"{key['kid']} ({key['status']})" for key in keys if isinstance(key, dict))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devkit.signing_keys", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    admin.add_target_arguments(parser)
    parser.add_argument("--force", action="store_true", help="rotate even if the next key is under two hours old")
    arguments = parser.parse_args(argv)
    try:
        if arguments.stack_name:
            print(rotate_stack(arguments.stack_name, force=arguments.force))
        else:
            print(rotate_local(arguments.data_dir.resolve()))
    except (admin.TargetError, KeySetError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
