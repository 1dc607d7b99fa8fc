"""Users: the caller's profile and address book; admins list users and set roles and access."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from storefront.domain.users import service
from storefront.http.openapi import BAD_CURSOR, responses
from storefront.http.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from storefront.http.params import AddressId, Admin, Customer, UserId
from storefront.http.resolver import http_handler, make_resolver
from storefront.http.responses import json_response, no_content
from storefront.models.users import (
    Address,
    AddressCreate,
    AddressPage,
    AddressPatch,
    UserAccount,
    UserAdminPatch,
    UserProfile,
    UserProfilePage,
    UserProfilePatch,
)

app = make_resolver()

EmailFilter = Annotated[
    str | None, Query(max_length=320, description="Exact email, in any casing (it is normalised first)")
]


_GONE = {404: "The caller's account no longer exists"}
_CONTENDED = "A concurrent change kept winning; try again"


@app.get(
    "/v1/users/me",
    summary="The caller's account",
    tags=["Users"],
    responses=responses(200, "The caller's account and purchase summary", errors=_GONE),
)
def get_me(principal: Customer) -> Response[UserAccount]:
    profile, history = service.get_me(principal.user_id)
    return json_response(UserAccount.of_account(profile, history), private=True)


@app.patch(
    "/v1/users/me",
    summary="Change the caller's name or phone",
    tags=["Users"],
    responses=responses(200, "The changed account", errors=_GONE),
)
def patch_me(body: UserProfilePatch, principal: Customer) -> Response[UserProfile]:
    return json_response(UserProfile.of(service.update_me(principal.user_id, body.changes())), private=True)


@app.get(
    "/v1/users/me/addresses",
    summary="The caller's saved addresses",
    tags=["Users"],
    responses=responses(200, "A page of the caller's addresses", errors=BAD_CURSOR),
)
def list_addresses(principal: Customer, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Response[AddressPage]:
    page = paginate(
        lambda size, start: service.list_addresses(principal.user_id, size, start),
        limit=limit,
        cursor=cursor,
        caller=principal.user_id,
        scope="addresses",
    )
    return json_response(
        AddressPage(items=[Address.of(item) for item in page.items], next_cursor=page.next_cursor), private=True
    )


@app.post(
    "/v1/users/me/addresses",
    summary="Save an address",
    tags=["Users"],
    responses=responses(201, "Saved", errors={409: "The caller already has 20 addresses"}),
)
def create_address(body: AddressCreate, principal: Customer) -> Response[Address]:
    fields, shipping, billing = body.fields(), body.is_default_shipping, body.is_default_billing
    return json_response(
        Address.of(service.create_address(principal.user_id, fields, shipping, billing)), 201, private=True
    )


@app.get(
    "/v1/users/me/addresses/<address_id>",
    summary="One saved address",
    tags=["Users"],
    responses=responses(200, "The address"),
)
def get_address(address_id: AddressId, principal: Customer) -> Response[Address]:
    return json_response(Address.of(service.get_address(principal.user_id, address_id)), private=True)


@app.patch(
    "/v1/users/me/addresses/<address_id>",
    summary="Change a saved address or make it a default",
    tags=["Users"],
    responses=responses(200, "The changed address", errors={409: _CONTENDED}),
)
def patch_address(address_id: AddressId, body: AddressPatch, principal: Customer) -> Response[Address]:
    return json_response(
        Address.of(service.update_address(principal.user_id, address_id, body.changes())), private=True
    )


@app.delete(
    "/v1/users/me/addresses/<address_id>",
    summary="Delete a saved address (and any default pointing at it)",
    tags=["Users"],
    responses=responses(204, "Deleted", errors={409: _CONTENDED}),
)
def delete_address(address_id: AddressId, principal: Customer) -> Response[None]:
    service.delete_address(principal.user_id, address_id)
    return no_content(private=True)


@app.get(
    "/v1/users",
    summary="List users in sign-up order, or find one by email (admin)",
    tags=["Users"],
    responses=responses(200, "A page of users", errors=BAD_CURSOR),
)
def list_users(
    principal: Admin, email: EmailFilter = None, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response[UserProfilePage]:
    page = paginate(
        lambda size, start: service.find_users(email, size, start),
        limit=limit,
        cursor=cursor,
        caller=principal.user_id,
        scope="users" if email is None else f"users?email={email}",
    )
    return json_response(
        UserProfilePage(items=[UserProfile.of(item) for item in page.items], next_cursor=page.next_cursor), private=True
    )


@app.patch(
    "/v1/users/<user_id>",
    summary="Set a user's role or disabled flag (admin)",
    description="An admin cannot change their own role or disabled flag: 403.",
    tags=["Users"],
    responses=responses(
        200, "The changed user", errors={403: "The caller is not an admin, or tried to change their own access"}
    ),
)
def patch_user(user_id: UserId, body: UserAdminPatch, principal: Admin) -> Response[UserProfile]:
    profile = service.admin_update_user(principal.user_id, user_id, body.role, body.disabled)
    return json_response(UserProfile.of(profile), private=True)


lambda_handler = http_handler(app)
