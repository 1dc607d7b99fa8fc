"""End to end in the local runtime, with the real template: outbox item → stream → relay → bus.

The runtime runs in-process (the table on moto, every other service on moto's server);
the test writes an outbox item through the shared package's own transaction, and a rule
on the local bus that targets an SQS queue shows what the relay published.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import pytest

from devkit.localrun.runtime import Options, Runtime
from devkit.localrun.testing import wait_until
from storefront.data.outbox import stage_event
from storefront.data.table import transaction
from storefront.events.base import DomainEvent
from tests.integration.localrun_calls import TABLE_EMULATORS, drain, runtime_fixture, subscribe


class ParcelSent(DomainEvent):
    event_type: ClassVar[str] = "test.parcel_sent"
    parcel_id: str


runtime = runtime_fixture("localrun-relay", Options(), tables=TABLE_EMULATORS)


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
