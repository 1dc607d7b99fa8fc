"""The image functions' template promises: upload trigger, least privilege, no cycle, Pillow off the layer."""

from __future__ import annotations

import json
from typing import Any

from devkit.template import ROOT, http_routes, load_template

RESOURCES = load_template()["Resources"]


def _mentions(node: Any, name: str) -> bool:
    return name in json.dumps(node)


def test_image_routes_need_a_token_when_deployed() -> None:
    routes = {
        (route.method, route.path, route.public) for route in http_routes() if route.function == "ProductImagesFunction"
    }
    assert routes == {
        ("POST", "/v1/products/{product_id}/images", False),
        ("GET", "/v1/products/{product_id}/images/{image_id}", False),
        ("PATCH", "/v1/products/{product_id}/images/{image_id}", False),
        ("DELETE", "/v1/products/{product_id}/images/{image_id}", False),
    }


def test_image_function_is_triggered_by_uploads_only_when_deployed() -> None:
    [event] = RESOURCES["ImagesFunction"]["Properties"]["Events"].values()
    assert event["Type"] == "S3"
    assert event["Properties"]["Bucket"] == {"Ref": "ImagesBucket"}
    assert event["Properties"]["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "uploads/"}]


def test_image_function_never_names_the_bucket_when_the_bucket_notifies_it() -> None:
    # The bucket's notification depends on the function: a reference back is a cycle.
    properties = RESOURCES["ImagesFunction"]["Properties"]
    assert not _mentions({k: v for k, v in properties.items() if k != "Events"}, "ImagesBucket")
    assert not _mentions(properties, "ImagesDistribution")
    # Globals name the bucket for every function: the image function overrides that variable.
    assert properties["Environment"]["Variables"]["IMAGES_BUCKET"] == ""


def test_image_function_touches_only_uploads_and_images_when_deployed() -> None:
    policy = RESOURCES["ImagesFunctionObjectsPolicy"]["Properties"]
    assert policy["Roles"] == [{"Ref": "ImagesFunctionRole"}]
    grants = {
        (str(statement["Action"]), statement["Resource"]["Fn::Sub"])
        for statement in policy["PolicyDocument"]["Statement"]
    }
    assert grants == {
        ("['s3:GetObject', 's3:DeleteObject']", "${ImagesBucket.Arn}/uploads/*"),
        ("s3:PutObject", "${ImagesBucket.Arn}/images/*"),
    }
    actions = [s["Action"] for p in RESOURCES["ImagesFunction"]["Properties"]["Policies"] for s in p["Statement"]]
    assert "dynamodb:Scan" not in json.dumps(actions)
    assert "dynamodb:DeleteItem" not in json.dumps(actions)


def test_upload_signer_may_only_put_uploads_when_deployed() -> None:
    statements = [s for p in RESOURCES["ProductImagesFunction"]["Properties"]["Policies"] for s in p["Statement"]]
    puts = [s for s in statements if s["Action"] == "s3:PutObject"]
    assert [s["Resource"] for s in puts] == [{"Fn::Sub": "${ImagesBucket.Arn}/uploads/*"}]


def test_every_image_function_has_its_own_log_group_with_retention_when_deployed() -> None:
    for function, group in (("ImagesFunction", "ImagesLogGroup"), ("ProductImagesFunction", "ProductImagesLogGroup")):
        assert RESOURCES[function]["Properties"]["LoggingConfig"]["LogGroup"] == {"Ref": group}
        assert RESOURCES[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_pillow_is_packaged_with_the_image_function_only_when_built() -> None:
    assert "pillow==" in (ROOT / "functions" / "images" / "requirements.txt").read_text().lower()
    assert "pillow" not in (ROOT / "layers" / "shared" / "requirements.txt").read_text().lower()
