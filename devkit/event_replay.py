"""`make admin ARGS="--stack-name S events replay --since …"`: the bus's archive, replayed.

After a consumer's outage or bug (a partner webhook down past its retries, the search index
behind, a shop's own rule broken), the events of a period are sent again from the stack's
archive (90 days) to the bus, to every rule or only to the ones named (`--rule`, the
template's logical id: `WebhookEventsRule`, `SearchIndexRule`, `AnalyticsRule`, or a shop's
own rule's name). Replayed events keep their ids, so consumers that deduplicate on them
(all of ours) take each once. EventBridge runs the replay; this starts it and says how to
follow it. Local mode has no archive (moto keeps none), so this works on a deployed stack.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

ARCHIVE = "EventArchive"


class ReplayError(Exception):
    """The replay cannot start: the message says why."""


@dataclass(frozen=True)
class Replay:
    since: int  # epoch seconds
    until: int | None  # None: now
    rules: tuple[str, ...]  # logical ids of the template, or rule names


def physical_id(cloudformation: Any, stack: str, logical_id: str) -> str | None:
    try:
        found = cloudformation.describe_stack_resource(StackName=stack, LogicalResourceId=logical_id)
    except Exception:  # botocore raises ValidationError for an unknown logical id
        return None
    return str(found["StackResourceDetail"]["PhysicalResourceId"])


def start(replay: Replay, stack: str, cloudformation: Any, events: Any, now: float | None = None) -> dict[str, str]:
    """Starts the replay; answers its name, state and what it covers."""
    until = replay.until if replay.until is not None else int(now if now is not None else time.time())
    if replay.since >= until:
        raise ReplayError("--since must be before --until (or now)")
    archive_name = physical_id(cloudformation, stack, ARCHIVE)
    if archive_name is None:
        raise ReplayError(f"stack {stack!r} has no {ARCHIVE}: is it this application?")
    archive = events.describe_archive(ArchiveName=archive_name)
    bus_arn = str(archive["EventSourceArn"])
    bus_name = bus_arn.rsplit("/", 1)[-1]
    filtered = []
    for rule in replay.rules:
        name = physical_id(cloudformation, stack, rule) or rule  # a logical id of the stack, or a rule's own name
        if "|" in name:  # CloudFormation names a rule on a custom bus "<bus>|<rule>"
            name = name.split("|", 1)[1]
        try:
            filtered.append(str(events.describe_rule(Name=name, EventBusName=bus_name)["Arn"]))
        except events.exceptions.ResourceNotFoundException:
            raise ReplayError(f"no rule {rule!r} on the bus {bus_name}") from None
    replay_name = f"replay-{datetime.fromtimestamp(replay.since, UTC):%Y%m%dT%H%M%S}-{int(time.time())}"
    destination: dict[str, Any] = {"Arn": bus_arn}
    if filtered:
        destination["FilterArns"] = filtered
    answer = events.start_replay(
        ReplayName=replay_name,
        EventSourceArn=str(archive["ArchiveArn"]),
        EventStartTime=datetime.fromtimestamp(replay.since, UTC),
        EventEndTime=datetime.fromtimestamp(until, UTC),
        Destination=destination,
    )
    return {
        "replay": replay_name,
        "state": str(answer.get("State", "STARTING")),
        "from": datetime.fromtimestamp(replay.since, UTC).isoformat(),
        "to": datetime.fromtimestamp(until, UTC).isoformat(),
        "to_rules": ", ".join(replay.rules) or "every rule of the bus",
    }
