"""CloudFormation custom resources served by a function: how one is recognised and answered.

CloudFormation waits (up to an hour) for the answer PUT to the event's presigned
`ResponseURL`, so a function answers on every path, failures included.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

ANSWER_TIMEOUT_S = 20


def is_request(event: Mapping[str, Any]) -> bool:
    """A CloudFormation custom resource request (Create, Update or Delete)."""
    return "RequestType" in event and "ResponseURL" in event


def answer(event: Mapping[str, Any], status: str, physical_id: str, reason: str = "") -> None:
    """Tell CloudFormation `SUCCESS` or `FAILED`; the reason names no secret, only where to look."""
    import urllib.request  # only on this rare path: the functions' other invocations never pay for it

    body = json.dumps(
        {
            "Status": status,
            "Reason": reason or "see the function's log",
            "PhysicalResourceId": physical_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": {},
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - CloudFormation's presigned https URL
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""}
    )
    with urllib.request.urlopen(request, timeout=ANSWER_TIMEOUT_S) as response:  # noqa: S310
        response.read()
