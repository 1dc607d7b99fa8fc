"""Auth: sign-up, sign-in, refresh-token rotation, sign-out and password change."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from storefront.domain.identity import service
from storefront.http.openapi import responses, retry_later
from storefront.http.origin import client_address
from storefront.http.params import Customer
from storefront.http.resolver import http_handler, make_resolver
from storefront.http.responses import json_response, no_content
from storefront.models.identity import (
    AuthSession,
    LoginRequest,
    LogoutRequest,
    PasswordChangeRequest,
    RefreshRequest,
    RegisterRequest,
)

app = make_resolver()


def _source_ip() -> str | None:
    return client_address(app.current_event.raw_event)


def _session(status: int, session: AuthSession) -> Response[AuthSession]:
    return json_response(session, status)  # no-store: tokens must never sit in a cache


@app.post(
    "/v1/auth/register",
    summary="Create a customer account and sign in",
    tags=["Auth"],
    responses=responses(201, "Account created; signed in", errors={409: "The email is taken"}),
)
def register(body: RegisterRequest) -> Response[AuthSession]:
    return _session(201, AuthSession.of(service.register(body.email, body.password, body.name)))


@app.post(
    "/v1/auth/login",
    summary="Sign in with email and password",
    tags=["Auth"],
    responses=responses(
        200,
        "Signed in",
        errors={
            401: "Wrong email or password (one answer for both)",
            403: "The account is disabled",
            429: retry_later("Too many failed sign-ins for this email or address"),
        },
    ),
)
def login(body: LoginRequest) -> Response[AuthSession]:
    return _session(200, AuthSession.of(service.login(body.email, body.password, _source_ip())))


@app.post(
    "/v1/auth/refresh",
    summary="Exchange a refresh token for a new pair",
    tags=["Auth"],
    responses=responses(
        200,
        "A new access token and refresh token; the old refresh token is spent",
        errors={
            401: "Invalid, expired, revoked or already used refresh token (reuse revokes its session)",
            403: "The account is disabled",
        },
    ),
)
def refresh(body: RefreshRequest) -> Response[AuthSession]:
    return _session(200, AuthSession.of(service.refresh(body.refresh_token)))


@app.post(
    "/v1/auth/logout",
    summary="Sign out: revoke the refresh token's session",
    tags=["Auth"],
    responses=responses(204, "Signed out (also for an unknown token)"),
)
def logout(body: LogoutRequest) -> Response[None]:
    service.logout(body.refresh_token)
    return no_content()


@app.post(
    "/v1/auth/password",
    summary="Change the password; signs out every session",
    description="A wrong `current_password` is a 422 whose `errors` name that field (not a 401: the access "
    "token is fine). Wrong guesses count against the sign-in throttle, like failed sign-ins.",
    tags=["Auth"],
    responses=responses(
        204,
        "Changed; every refresh token of the user is revoked",
        errors={409: "A concurrent password change won", 429: retry_later("Too many wrong current passwords")},
    ),
)
def change_password(body: PasswordChangeRequest, principal: Customer) -> Response[None]:
    service.change_password(principal.user_id, body.current_password, body.new_password, _source_ip())
    return no_content()


lambda_handler = http_handler(app)
