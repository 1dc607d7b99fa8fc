"""Who is asking on a public route, where API Gateway runs no authorizer.

A public route sees no verified claims, so a bearer token is verified here, in the
function, with the same rules as API Gateway's JWT authorizer (RS256 against the
published JWKS, expiry, issuer, audience) and then the same standing check as
`requires`. No token: an anonymous viewer. A token that fails: 401, never a silent
downgrade to anonymous. The verifier (and `cryptography` with it) is imported only when
a token is present, so anonymous cold starts do not pay for it.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.request import Request

from storefront.domain.errors import Unauthorized
from storefront.http.auth import Principal, TokenIdentity, confirmed_principal, token_identity


def viewer_of(request: Request) -> Principal | None:
    identity = token_identity(request)
    if identity is not None:
        return confirmed_principal(identity)
    authorization = request.resolved_event.headers.get("authorization")
    if not authorization:
        return None
    from storefront.security.tokens import InvalidToken, bearer_token, verify_access_token

    token = bearer_token(authorization)
    if token is None:
        raise Unauthorized("Send the access token as `Authorization: Bearer <token>`.")
    try:
        claims = verify_access_token(token)
    except InvalidToken as error:
        raise Unauthorized("The access token is invalid or expired.") from error
    return confirmed_principal(TokenIdentity(user_id=claims.user_id, session_epoch=claims.session_epoch))


def optional_viewer() -> Depends:
    return Depends(viewer_of)
