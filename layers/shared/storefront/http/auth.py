"""The role dependency: who is calling, as API Gateway's JWT authorizer established it.

Routes declare their role once, in their signature:

    def route(principal: Annotated[Principal, requires(Role.MANAGER)]) -> ...

The identity comes only from the verified claims API Gateway passes in the request
context (a client cannot set them), never from the body or the query string. Then one
consistent read of the caller's standing: a disabled user, or a token older than the
user's last role change, disable or password change, is refused at once (401), and the
role held now — not the one in the token — decides (403 when too low). Each function
re-checks its own routes, so a mis-set route in the template cannot open an admin route.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.request import Request

from storefront.domain.errors import Forbidden, Unauthorized
from storefront.domain.identity.entities import ACCESS_TOKEN_TYPE
from storefront.domain.identity.roles import Role
from storefront.domain.identity.standing import current_role


@dataclass(frozen=True)
class Principal:
    user_id: str
    role: Role


@dataclass(frozen=True)
class TokenIdentity:
    """Who the verified token names, and the session epoch it was issued in."""

    user_id: str
    session_epoch: int


def token_identity(request: Request) -> TokenIdentity | None:
    """Who the gateway's verified claims name; None (a 401) unless they are an access token's.

    API Gateway's JWT authorizer checks only the signature, `iss`, `aud`, `exp` and `nbf`:
    any token signed with the stack's keys would pass it. Only access tokens are signed
    today (refresh tokens are opaque), and they carry `typ: access`; any other type is refused here.
    """
    authorizer = request.resolved_event.raw_event.get("requestContext", {}).get("authorizer") or {}
    claims = (authorizer.get("jwt") or {}).get("claims") or {}
    user_id, epoch = claims.get("sub"), str(claims.get("sep", ""))
    if claims.get("typ") != ACCESS_TOKEN_TYPE:
        return None
    if not isinstance(user_id, str) or not user_id or not epoch.isdigit():
        return None
    return TokenIdentity(user_id=user_id, session_epoch=int(epoch))


def confirmed_principal(identity: TokenIdentity) -> Principal:
    return Principal(user_id=identity.user_id, role=current_role(identity.user_id, identity.session_epoch))


def requires(role: Role) -> Depends:
    def dependency(request: Request) -> Principal:
        identity = token_identity(request)
        if identity is None:
            raise Unauthorized("Sign in to use this route.")
        principal = confirmed_principal(identity)
        if not principal.role.includes(role):
            raise Forbidden(f"This route needs the {role.value} role.")
        return principal

    return Depends(dependency)
