"""End to end in the local runtime, with the real template: outbox item → stream → relay → bus.

The runtime runs in-process (the table on moto, every other service on moto's server);
the test writes an outbox item through the shared package's own transaction, and a rule
on the local bus that targets an SQS queue shows what the relay published.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from devkit.localrun.runtime import Options, Runtime
from devkit.localrun.testing import running, wait_until
from storefront.data.outbox import stage_event
from storefront.data.table import TableItem, transaction
from storefront.events.base import DomainEvent
from storefront.settings import get_settings
from tests.aws_fixtures import _forget_clients


class ParcelSent(DomainEvent):
    event_type: ClassVar[str] = "test.parcel_sent"
    parcel_id: str


@pytest.fixture(scope="module", params=["moto", "dynamodb-local"])
def runtime(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    options = Options(
        port=0,
        data_dir=tmp_path_factory.mktemp("localrun-relay"),
        use_java=request.param == "dynamodb-local",
        serve_http=False,
        prepare_store=False,  # this process read the tests' settings: the relay needs neither keys nor index
    )
    with running(options) as started:
        assert started.wait_sources_ready(), "a source never started watching"
        yield started
    get_settings.cache_clear()
    _forget_clients()


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
    sqs, events = runtime.emulators.client("sqs"), runtime.emulators.client("events")  # type: ignore[union-attr]
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = get_settings().event_bus_name
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps({"source": ["storefront"]}))
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}])
    return str(url)


def drain(runtime: Runtime, url: str, wait_s: int = 0) -> list[dict[str, Any]]:
    sqs = runtime.emulators.client("sqs")  # type: ignore[union-attr]
    answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_s)
    messages = answer.get("Messages", [])
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return [json.loads(message["Body"]) for message in messages]


@pytest.mark.usefixtures("storefront_on_runtime")
def test_outbox_item_reaches_the_bus_once_when_written_in_a_transaction(runtime: Runtime) -> None:
    assert "→ RelayFunction" in runtime.describe()  # the banner lists the stream source
    url = subscribe(runtime, "relay-e2e")
    with transaction() as write:
        event_id = stage_event(write, ParcelSent(parcel_id="p-1"), int(time.time()))

    received: list[dict[str, Any]] = []

    def arrived() -> bool:
        received.extend(drain(runtime, url))
        return any(event["detail"]["id"] == event_id for event in received)

    wait_until(arrived, timeout_s=20, what="the relayed event on the bus")
    received.extend(drain(runtime, url, wait_s=1))  # a duplicate would arrive meanwhile
    [event] = [event for event in received if event["detail"]["id"] == event_id]
    assert event["source"] == "storefront"
    assert event["detail-type"] == "test.parcel_sent"
    assert event["detail"]["data"] == {"parcel_id": "p-1"}
    assert event["detail"]["version"] == 1
