"""The role dependency: who is calling, as the authorizer established it.

Routes declare their role once, in their signature:

    def route(principal: Annotated[Principal, requires(Role.MANAGER)]) -> ...

The principal comes only from the authorizer's context (API Gateway sets it; a client
cannot), never from the body or the query string. Each function re-checks the role
for its own routes, so a mis-set route in the template cannot open an admin route.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.request import Request

from storefront.domain.errors import Forbidden, Unauthorized
from storefront.models.roles import Role


@dataclass(frozen=True)
class Principal:
    user_id: str
    role: Role


def principal_of(request: Request) -> Principal | None:
    authorizer = request.resolved_event.raw_event.get("requestContext", {}).get("authorizer") or {}
    context = authorizer.get("lambda") or {}
    user_id, role = context.get("user_id"), str(context.get("role"))
    if not isinstance(user_id, str) or not user_id:
        return None
    try:
        return Principal(user_id=user_id, role=Role(role))
    except ValueError:
        return None


def requires(role: Role) -> Depends:
    def dependency(request: Request) -> Principal:
        principal = principal_of(request)
        if principal is None:
            raise Unauthorized("Sign in to use this route.")
        if not principal.role.includes(role):
            raise Forbidden(f"This route needs the {role.value} role.")
        return principal

    return Depends(dependency)
