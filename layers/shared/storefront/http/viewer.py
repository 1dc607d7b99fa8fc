"""Who is asking on a public route, where API Gateway runs no authorizer.

A public route sees no authorizer context, so a bearer token is verified here, in the
function, with the same verifier as the authorizer (signature, algorithm, expiry, issuer,
audience). No token: an anonymous viewer. A token that fails verification: 401, never a
silent downgrade to anonymous. The token's role is only a claim: a route that grants more
to staff confirms the account's current role and state in the domain before it does.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.request import Request

from storefront.domain.errors import Unauthorized
from storefront.http.auth import Principal, principal_of
from storefront.security.tokens import InvalidToken, bearer_token, verify_access_token


def viewer_of(request: Request) -> Principal | None:
    principal = principal_of(request)
    if principal is not None:
        return principal
    authorization = request.resolved_event.headers.get("authorization")
    if not authorization:
        return None
    token = bearer_token(authorization)
    if token is None:
        raise Unauthorized("Send the access token as `Authorization: Bearer <token>`.")
    try:
        claims = verify_access_token(token)
    except InvalidToken as error:
        raise Unauthorized("The access token is invalid or expired.") from error
    return Principal(user_id=claims.user_id, role=claims.role)


def optional_viewer() -> Depends:
    return Depends(viewer_of)
