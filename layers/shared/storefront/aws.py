"""AWS clients, one per service per execution environment.

Made with botocore directly: boto3 adds nothing a client needs here, and importing it
(with s3transfer) costs ≈ 45 ms of every cold start; pynamodb loads botocore anyway.
Endpoints come from botocore's own `AWS_ENDPOINT_URL_<SERVICE>` variables, which the
local runtime sets; nothing here knows whether it runs on AWS or on a laptop.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

_sessions = threading.local()
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5)


@cache
def client(service: str, signature_version: str | None = None) -> Any:
    """`signature_version="s3v4"` for presigned S3 requests: other signatures fail on custom endpoints."""
    config = _CONFIG if signature_version is None else _CONFIG.merge(Config(signature_version=signature_version))
    return _session().create_client(service, config=config)


def _session() -> botocore.session.Session:
    """One botocore session per thread (building clients on one is not thread-safe): a client
    of a new session loads the files its session shares (endpoints, retries) once more."""
    if getattr(_sessions, "session", None) is None:
        _sessions.session = botocore.session.get_session()
    session: botocore.session.Session = _sessions.session
    return session


def is_missing_object(error: ClientError) -> bool:
    """An S3 error saying the object (or, for HeadObject, anything at the key) is not there."""
    return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")
