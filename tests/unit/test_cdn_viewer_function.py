"""The API distribution's viewer-request function, run by Node on CloudFront's event shape.

The code is the template's own (`ApiViewerRequestFunction`'s FunctionCode), so what is
tested is what CloudFront runs; Node stands in for the cloudfront-js-2.0 runtime.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

from devkit.template import load_template

NODE = shutil.which("node")  # make install needs it too (DynamoDB Local comes from npm)


def _viewer_request(querystring: dict[str, Any], headers: dict[str, Any], ip: str = "198.51.100.7") -> Any:
    assert NODE is not None, "Node.js is needed to run the CloudFront function"
    code = load_template()["Resources"]["ApiViewerRequestFunction"]["Properties"]["FunctionCode"]
    event = {
        "version": "1.0",
        "context": {"eventType": "viewer-request"},
        "viewer": {"ip": ip},
        "request": {
            "method": "GET",
            "uri": "/v1/products",
            "querystring": querystring,
            "headers": headers,
            "cookies": {},
        },
    }
    driver = f"{code}\nhandler({json.dumps(event)}).then((request) => console.log(JSON.stringify(request)));\n"
    completed = subprocess.run([str(NODE), "-e", driver], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(completed.stdout)


def test_query_parameters_come_out_in_one_order_whatever_order_they_came_in() -> None:
    limit = {"value": "20"}
    q = {"value": "lamp"}
    brand = {"value": "acme", "multiValue": [{"value": "acme"}, {"value": "zeta"}]}
    first = _viewer_request({"q": q, "limit": limit, "brand": brand}, {})
    second = _viewer_request({"brand": brand, "limit": limit, "q": q}, {})
    assert list(first["querystring"]) == ["brand", "limit", "q"]
    assert first["querystring"] == second["querystring"]
    assert json.dumps(first["querystring"]) == json.dumps(second["querystring"])
    # Repeated values keep their own order: the API reads them as the client wrote them.
    assert first["querystring"]["brand"]["multiValue"] == [{"value": "acme"}, {"value": "zeta"}]


def test_the_viewer_address_replaces_whatever_the_client_claimed() -> None:
    headers = {"x-viewer-address": {"value": "10.0.0.1"}, "authorization": {"value": "Bearer t"}}
    request = _viewer_request({}, headers, ip="203.0.113.9")
    assert request["headers"]["x-viewer-address"] == {"value": "203.0.113.9"}
    assert request["headers"]["authorization"] == {"value": "Bearer t"}
    assert request["uri"] == "/v1/products"
