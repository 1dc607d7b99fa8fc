"""The API's CDN and firewall as deployed: public reads cached by their Cache-Control,
everything else passed through with its Authorization header, a web ACL with rate limits,
and an API that answers only what came through the distribution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from devkit.localrun.config import LocalTemplate
from devkit.template import ROOT, load_template

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
PUBLIC_READ_PATHS = {"/v1/products*", "/v1/categories*"}


def _resources() -> dict[str, Any]:
    return dict(load_template()["Resources"])


def _distribution() -> dict[str, Any]:
    return dict(_resources()["ApiDistribution"]["Properties"]["DistributionConfig"])


def _http_functions() -> set[str]:
    return {
        name
        for name, resource in _resources().items()
        if resource["Type"] == "AWS::Serverless::Function"
        and any(event["Type"] == "HttpApi" for event in (resource["Properties"].get("Events") or {}).values())
    }


def test_the_cdn_is_on_by_default_and_every_piece_of_it_follows_the_parameter() -> None:
    document = load_template()
    assert document["Parameters"]["ApiCdn"]["Default"] == "on"
    for name in ("OriginSecret", "OriginSecretReadPolicy", "ApiViewerRequestFunction", "ApiPublicCachePolicy"):
        assert document["Resources"][name]["Condition"] == "ApiCdnOn", name
    assert document["Resources"]["ApiDistribution"]["Condition"] == "ApiCdnOn"
    api_url = document["Outputs"]["ApiUrl"]["Value"]["Fn::If"]
    assert api_url[0] == "ApiCdnOn"
    assert api_url[1] == {"Fn::Sub": "https://${ApiDistribution.DomainName}"}


def test_only_public_catalog_reads_are_cached_and_only_as_the_api_allows() -> None:
    distribution = _distribution()
    default = distribution["DefaultCacheBehavior"]
    assert default["CachePolicyId"] == CACHING_DISABLED
    assert default["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST  # Authorization included, Host not
    cached = {behavior["PathPattern"]: behavior for behavior in distribution["CacheBehaviors"]}
    assert set(cached) == PUBLIC_READ_PATHS
    for behavior in [default, *cached.values()]:
        assert behavior["ViewerProtocolPolicy"] == "https-only"
        assert behavior["CachedMethods"] == ["GET", "HEAD"]
        assert set(behavior["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
        [association] = behavior["FunctionAssociations"]
        assert association["EventType"] == "viewer-request"
    for behavior in cached.values():
        assert behavior["CachePolicyId"] == {"Ref": "ApiPublicCachePolicy"}
    policy = _resources()["ApiPublicCachePolicy"]["Properties"]["CachePolicyConfig"]
    # Nothing is kept without the API's say-so, and a token's view is keyed by the token.
    assert policy["DefaultTTL"] == 0
    assert policy["MinTTL"] == 0
    key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert set(key["HeadersConfig"]["Headers"]) == {"authorization", "origin"}
    assert key["QueryStringsConfig"]["QueryStringBehavior"] == "all"
    assert key["CookiesConfig"]["CookieBehavior"] == "none"
    errors = {item["ErrorCode"]: item["ErrorCachingMinTTL"] for item in distribution["CustomErrorResponses"]}
    assert {404, 500, 502, 503, 504} <= set(errors)
    assert set(errors.values()) == {0}


def test_the_distribution_proves_itself_to_the_api_with_the_origin_secret() -> None:
    [origin] = _distribution()["Origins"]
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    [header] = origin["OriginCustomHeaders"]
    assert header == {
        "HeaderName": "X-Origin-Verify",
        "HeaderValue": {"Fn::Sub": "{{resolve:secretsmanager:${OriginSecret}:SecretString:current}}"},
    }
    environment = load_template()["Globals"]["Function"]["Environment"]["Variables"]
    assert environment["ORIGIN_SECRET_ARN"] == {"Fn::If": ["ApiCdnOn", {"Ref": "OriginSecret"}, ""]}
    # CloudFormation reads the secret again only when the distribution changes: the generation does that.
    assert "${OriginSecretGeneration}" in _distribution()["Comment"]["Fn::Sub"]
    readers = _resources()["OriginSecretReadPolicy"]["Properties"]["Roles"]
    assert {role["Ref"].removesuffix("Role") for role in readers} == _http_functions()


def test_the_execute_api_address_is_off_when_the_cdn_reaches_the_api_by_a_name_of_the_shops() -> None:
    resources = _resources()
    assert resources["HttpApi"]["Properties"]["DisableExecuteApiEndpoint"] == {
        "Fn::If": ["HasApiOriginDomain", True, False]
    }
    assert resources["ApiOriginDomain"]["Condition"] == "HasApiOriginDomain"
    [origin] = _distribution()["Origins"]
    assert origin["DomainName"]["Fn::If"][:2] == ["HasApiOriginDomain", {"Ref": "ApiOriginDomainName"}]


def test_the_firewall_limits_each_address_tighter_on_sign_in_and_runs_the_managed_rules() -> None:
    acl = _resources()["ApiWebAcl"]
    assert acl["Condition"] == "MakesApiWebAcl"
    properties = acl["Properties"]
    assert properties["Scope"] == "CLOUDFRONT"
    rules = {rule["Name"]: rule for rule in properties["Rules"]}
    sign_in = rules["sign-in-rate"]["Statement"]["RateBasedStatement"]
    assert sign_in["Limit"] == {"Ref": "SignInRateLimit"}
    assert sign_in["AggregateKeyType"] == "IP"
    assert sign_in["ScopeDownStatement"]["ByteMatchStatement"]["SearchString"] == "/v1/auth/"
    every_request = rules["address-rate"]["Statement"]["RateBasedStatement"]
    assert every_request["Limit"] == {"Ref": "ApiRateLimit"}
    assert "ScopeDownStatement" not in every_request
    for name in ("sign-in-rate", "address-rate"):
        assert rules[name]["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    assert rules["sign-in-rate"]["Priority"] < rules["address-rate"]["Priority"]
    managed = {
        rule["Statement"]["ManagedRuleGroupStatement"]["Name"] for rule in rules.values() if "OverrideAction" in rule
    }
    assert managed == {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"}
    web_acl = _distribution()["WebACLId"]["Fn::If"]
    assert web_acl[0] == "ApiHasWebAcl"
    assert web_acl[1] == {"Fn::If": ["MakesApiWebAcl", {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}, {"Ref": "ApiWebAclArn"}]}


def test_the_local_runtime_has_no_cdn_so_its_functions_check_no_origin_secret() -> None:
    environment = LocalTemplate(Path(ROOT) / "template.yaml").shared_environment()
    assert environment["ORIGIN_SECRET_ARN"] == ""
