"""The access tokens' keys: made at stack creation (a custom resource), rotated on demand.

CloudFormation calls it on Create/Update/Delete of `SigningKeys`: the first keys are
made and the JWKS published before the stack is ready. `make rotate-key STACK=…`
invokes it with `{"action": "rotate"}`. Key material never appears in its answers or logs.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from storefront import custom_resource
from storefront.observability import function_logger
from storefront.security.key_store import ensure_keys, rotate_keys
from storefront.security.signing_keys import GATEWAY_JWKS_CACHE_S, KeySet

logger = function_logger()
_PHYSICAL_ID = "signing-keys"


def _summary(key_set: KeySet) -> dict[str, Any]:
    return {"keys": [{"kid": key.kid, "status": key.status, "published_at": key.published_at} for key in key_set.keys]}


def _custom_resource(event: dict[str, Any]) -> None:
    try:
        if event["RequestType"] in ("Create", "Update"):
            key_set = ensure_keys(issuer=event["ResourceProperties"]["Issuer"])
            logger.info("signing keys ready", extra={"security_event": "key_setup", **_summary(key_set)})
        custom_resource.answer(event, "SUCCESS", _PHYSICAL_ID)
    except Exception as error:
        logger.exception("signing keys could not be set up")
        custom_resource.answer(event, "FAILED", _PHYSICAL_ID, type(error).__name__)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if custom_resource.is_request(event):
        _custom_resource(event)
        return {}
    if event.get("action") == "rotate":
        force = bool(event.get("force", False))
        key_set = rotate_keys(min_next_age_s=0 if force else GATEWAY_JWKS_CACHE_S)
        logger.info(
            "signing keys rotated", extra={"security_event": "key_rotation", "forced": force, **_summary(key_set)}
        )
        return _summary(key_set)
    raise ValueError("expected a CloudFormation custom resource event or {'action': 'rotate'}")
