"""Is the caller still who their token says? The per-request check behind every role route.

The token proves identity (API Gateway verified it); the table says what that identity
may do now. A disabled user, or a token from before the last role change, disable or
password change (an older session epoch), is refused as unauthenticated (401: the client
signs in again); otherwise the role held *now* decides.
"""

from __future__ import annotations

from storefront.data import standing as standings
from storefront.domain.errors import Unauthorized
from storefront.domain.identity.roles import Role
from storefront.observability import module_logger

SESSION_ENDED = "The session has ended (the account changed); sign in again."

_logger = module_logger()


def current_role(user_id: str, token_epoch: int) -> Role:
    standing = standings.get_standing(user_id)
    if standing is None or standing.disabled or standing.session_epoch != token_epoch:
        _logger.info(
            "token refused: account missing, disabled or changed since it was issued",
            extra={"user_id": user_id, "security_event": "stale_token"},
        )
        raise Unauthorized(SESSION_ENDED)
    return standing.role
