"""Callers as the functions see them: a verified token's claims, and the user item behind them.

Every role route re-reads its caller's standing from the table, so a principal used in a
handler test must exist as a user; this creates it once (a registered user is left alone).
"""

from __future__ import annotations

from pynamodb.exceptions import PutError

from storefront.data.users import UserItem, user_item
from storefront.domain.identity.entities import User
from storefront.domain.identity.roles import Role
from tests.support import sample_event

Principal = tuple[str, str] | tuple[str, str, int]
# Users created since the table was last emptied (the `aws` fixture clears it), so a call
# that counts DynamoDB requests sees only the route's own.
ensured: set[str] = set()


def ensure_user(principal: Principal | None) -> None:
    if principal is None or principal[0] in ensured:
        return
    user_id, role = principal[0], principal[1]
    user = User(
        id=user_id,
        email=f"{user_id.lower()}@principals.example",
        name=f"User {user_id}",
        role=Role(role),
        password_hash=b"$2b$04$notarealhashnotarealhashnotarealhashnotarealhashnot",
        disabled=False,
        session_epoch=0,
        created_at=1,
    )
    try:
        user_item(user).save(condition=UserItem.PK.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
    ensured.add(user_id)  # only once it exists: concurrent callers may all try, harmlessly


def sample_principal(function: str, case: str) -> Principal | None:
    """The caller of a sample event of events/<function>/ (None for a public route's)."""
    claims = (sample_event(function, case)["requestContext"].get("authorizer") or {}).get("jwt", {}).get("claims")
    return (claims["sub"], claims["role"]) if claims else None
