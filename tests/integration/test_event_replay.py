"""`make admin ARGS="--stack-name S events replay …"` on moto's EventBridge: the stack's archive is
replayed to its bus, for the period asked, to every rule or to the rules named."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devkit import admin, event_replay
from devkit.order_export import parse_since

STACK = "shop"


class _Stack:
    """CloudFormation's answer for the stack's resources (moto would need the whole template deployed)."""

    def __init__(self, physical: dict[str, str]) -> None:
        self.physical = physical

    def describe_stack_resource(self, StackName: str, LogicalResourceId: str) -> dict[str, Any]:  # noqa: N803
        if LogicalResourceId not in self.physical:
            raise ValueError(f"Resource {LogicalResourceId} does not exist for stack {StackName}")
        return {"StackResourceDetail": {"PhysicalResourceId": self.physical[LogicalResourceId]}}


@pytest.fixture
def bus() -> Iterator[Any]:
    with mock_aws():
        events = boto3.client("events", region_name="us-east-1")
        arn = events.create_event_bus(Name="shop-events")["EventBusArn"]
        events.create_archive(ArchiveName="shop-archive", EventSourceArn=arn)
        events.put_rule(
            Name="shop-WebhookEventsRule-1AB", EventBusName="shop-events", EventPattern='{"source": ["storefront"]}'
        )
        yield events


def test_a_period_is_replayed_to_the_rule_named_by_its_logical_id(bus: Any) -> None:
    stack = _Stack({"EventArchive": "shop-archive", "WebhookEventsRule": "shop-events|shop-WebhookEventsRule-1AB"})
    replay = event_replay.Replay(parse_since("2026-12-01"), parse_since("2026-12-02T06:00:00Z"), ("WebhookEventsRule",))

    started = event_replay.start(replay, STACK, stack, bus)

    described = bus.describe_replay(ReplayName=started["replay"])
    assert described["EventSourceArn"].endswith(":archive/shop-archive")
    assert described["Destination"]["Arn"].endswith(":event-bus/shop-events")
    assert described["Destination"]["FilterArns"] == [
        bus.describe_rule(Name="shop-WebhookEventsRule-1AB", EventBusName="shop-events")["Arn"]
    ]
    assert (started["from"], started["to"]) == ("2026-12-01T00:00:00+00:00", "2026-12-02T06:00:00+00:00")


def test_without_rules_the_replay_goes_to_every_rule_and_ends_now(bus: Any) -> None:
    stack = _Stack({"EventArchive": "shop-archive"})

    started = event_replay.start(
        event_replay.Replay(parse_since("2026-12-01"), None, ()), STACK, stack, bus, now=parse_since("2026-12-03")
    )

    assert "FilterArns" not in bus.describe_replay(ReplayName=started["replay"])["Destination"]
    assert started["to_rules"] == "every rule of the bus"


@pytest.mark.parametrize(
    ("replay", "physical", "message"),
    [
        (event_replay.Replay(100, 50, ()), {"EventArchive": "shop-archive"}, "--since must be before"),
        (event_replay.Replay(1, None, ()), {}, "has no EventArchive"),
        (event_replay.Replay(1, None, ("NoSuchRule",)), {"EventArchive": "shop-archive"}, "no rule 'NoSuchRule'"),
    ],
)
def test_what_cannot_be_replayed_is_said_plainly(
    bus: Any, replay: event_replay.Replay, physical: dict[str, str], message: str
) -> None:
    with pytest.raises(event_replay.ReplayError, match=message):
        event_replay.start(replay, STACK, _Stack(physical), bus, now=1_796_000_000)


def test_the_admin_command_parses_the_period_and_refuses_local_mode() -> None:
    arguments = admin.parser().parse_args(["events", "replay", "--since", "2026-12-01", "--rule", "SearchIndexRule"])

    assert (arguments.since, arguments.until, arguments.rule) == (parse_since("2026-12-01"), None, ["SearchIndexRule"])
    with pytest.raises(admin.CommandError, match="deployed stack"):
        admin.execute(arguments)
