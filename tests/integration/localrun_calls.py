"""The local runtime in the tests' own process, with the real template, and its bus seen from a queue.

A module makes its runtime with `runtime = runtime_fixture(...)`; a test that writes through
the shared package asks for `storefront_on_runtime` (re-exported by this directory's conftest).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from devkit.localrun.runtime import Options, Runtime
from devkit.localrun.testing import running
from storefront.data.table import TableItem
from storefront.settings import get_settings
from tests.aws_fixtures import _forget_clients

if TYPE_CHECKING:
    from _pytest.fixtures import FixtureFunctionDefinition

# The table's emulators, for a module that runs its tests on each (`tables=TABLE_EMULATORS`).
TABLE_EMULATORS = ("moto", "dynamodb-local")


def runtime_fixture(name: str, options: Options, *, tables: Sequence[str] = ()) -> FixtureFunctionDefinition:
    """A module-scoped `runtime` fixture: `options` in this process, its event sources watching.

    The runtime gets a fresh data directory named after `name`, no HTTP server, and no store
    preparation: this process read the tests' settings already, so it cannot make the token keys
    or the first search index (the functions tested this way need neither). With `tables`, the
    module runs once per table emulator; without, on the runtime's default (DynamoDB Local, or
    moto where there is no Java).
    """

    @pytest.fixture(scope="module", params=list(tables) or None)
    def runtime(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
        in_process = replace(
            options, port=0, data_dir=tmp_path_factory.mktemp(name), serve_http=False, prepare_store=False
        )
        if tables:
            in_process.use_java = request.param == "dynamodb-local"
        with running(in_process) as started:
            assert started.wait_sources_ready(), "a source never started watching"
            yield started
        get_settings.cache_clear()
        _forget_clients()

    return runtime


@pytest.fixture
def storefront_on_runtime(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The shared package, pointed at the runtime's table (it read the tests' settings at import)."""
    get_settings.cache_clear()
    monkeypatch.setattr(TableItem.Meta, "table_name", get_settings().table_name)
    _forget_clients()
    yield
    _forget_clients()


def subscribe(runtime: Runtime, name: str) -> str:
    """An SQS queue receiving every storefront event of the local bus, as a partner's rule would."""
    sqs, events = runtime.aws_client("sqs"), runtime.aws_client("events")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = get_settings().event_bus_name
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps({"source": ["storefront"]}))
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}])
    return str(url)


def drain(runtime: Runtime, url: str, wait_s: int = 0) -> list[dict[str, Any]]:
    """The events waiting in the queue (up to 10, waiting up to `wait_s` for one), deleted once read."""
    sqs = runtime.aws_client("sqs")
    answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_s)
    messages = answer.get("Messages", [])
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return [json.loads(message["Body"]) for message in messages]
