"""Lambda authorizer of the HTTP API (payload 2.0, simple responses).

Kept lean on purpose: it runs before every authenticated request, so it imports no
event handler, no pydantic and no pynamodb; the one table read is a low-level GetItem.
API Gateway caches its answer per token for at most 300 s, which bounds how long a
disabled user, a demoted role or a changed password takes to bite.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storefront import aws
from storefront.data import keys
from storefront.models.roles import Role
from storefront.observability import get_logger
from storefront.security.tokens import AccessClaims, InvalidToken, bearer_token, verify_access_token
from storefront.settings import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = get_logger("authorizer")

_DENY: dict[str, Any] = {"isAuthorized": False}


def current_role(claims: AccessClaims) -> Role | None:
    """The role the user holds now, or None when the token must be refused.

    One consistent GetItem of just the flags it needs: a missing or disabled user, or a
    token issued before the last password change, is refused. A role lowered since the
    token was issued applies at once; a raised one waits for the next token.
    """
    pk, sk = keys.user(claims.user_id)
    item = (
        aws.client("dynamodb")
        .get_item(
            TableName=get_settings().table_name,
            Key={"PK": {"S": pk}, "SK": {"S": sk}},
            ProjectionExpression="#disabled, #role, #changed",
            ExpressionAttributeNames={"#disabled": "disabled", "#role": "role", "#changed": "password_changed_at"},
            ConsistentRead=True,
        )
        .get("Item")
    )
    if item is None or item.get("disabled", {}).get("BOOL", False):
        return None
    if claims.issued_at < int(item.get("password_changed_at", {}).get("N", "0")):
        return None
    try:
        stored = Role(item.get("role", {}).get("S", ""))
    except ValueError:
        return None
    return stored if claims.role.includes(stored) else claims.role


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
    # A table failure raises: API Gateway answers 500 and caches nothing, unlike a deny.
    role = current_role(claims)
    if role is None:
        logger.info("token refused", extra={"reason": "user missing, disabled or re-keyed", "user_id": claims.user_id})
        return _DENY
    return {
        "isAuthorized": True,
        "context": {"user_id": claims.user_id, "role": role.value, "jti": claims.jti},
    }
