"""Lambda authorizer of the HTTP API (payload 2.0, simple responses).

Kept lean on purpose: it runs before every authenticated request, so it imports no
event handler, no pydantic and no pynamodb. API Gateway caches its answer per token
for at most 300 s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storefront.observability import get_logger
from storefront.security.tokens import InvalidToken, verify_access_token

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = get_logger("authorizer")

_DENY: dict[str, Any] = {"isAuthorized": False}


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    headers = event.get("headers") or {}
    identity = event.get("identitySource") or [None]
    token = bearer_token(headers.get("authorization") or identity[0])
    if token is None:
        return _DENY
    try:
        claims = verify_access_token(token)
    except InvalidToken as refusal:
        logger.info("token refused", extra={"reason": str(refusal), "route": event.get("routeKey")})
        return _DENY
    return {
        "isAuthorized": True,
        "context": {"user_id": claims.user_id, "role": claims.role.value, "jti": claims.jti},
    }
