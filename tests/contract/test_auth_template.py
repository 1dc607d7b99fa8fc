"""The auth function's template promises: public routes, tight throttling, least privilege."""

from __future__ import annotations

from devkit.template import http_routes, load_template

AUTH_ROUTES = {"register", "login", "refresh", "logout", "password"}


def test_auth_routes_are_public_except_password_change_when_deployed() -> None:
    routes = {route.path.rsplit("/", 1)[-1]: route for route in http_routes() if route.function == "AuthFunction"}
    assert set(routes) == AUTH_ROUTES
    assert {name for name, route in routes.items() if not route.public} == {"password"}
    assert {route.method for route in routes.values()} == {"POST"}


def test_every_auth_route_is_throttled_below_the_stage_default_when_deployed() -> None:
    settings = load_template()["Resources"]["HttpApi"]["Properties"]["RouteSettings"]
    for name in AUTH_ROUTES:
        limits = settings[f"POST /v1/auth/{name}"]
        assert limits["ThrottlingRateLimit"] <= 20
        assert limits["ThrottlingBurstLimit"] <= 40


def test_auth_function_may_only_get_put_update_and_check_items_when_deployed() -> None:
    function = load_template()["Resources"]["AuthFunction"]["Properties"]
    statements = [statement for policy in function["Policies"] for statement in policy.get("Statement", [])]
    actions = {action for statement in statements for action in statement["Action"]}
    assert actions == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"}
    assert all(statement["Resource"] == {"Fn::GetAtt": ["Table", "Arn"]} for statement in statements)
    assert function["Environment"]["Variables"]["BCRYPT_ROUNDS"] == "12"
