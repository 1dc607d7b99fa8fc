"""The admin command's operator commands for a deployed stack: `events replay`, `dead-letters`,
`table restore|copy`, `origin-secret rotate` (`make admin ARGS="--stack-name S ..."`).

Each parses its arguments here and calls its module (event_replay, dead_letters,
table_restore, origin_secret); devkit/admin.py routes to them and keeps the user commands.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from devkit import dead_letters, event_replay, order_export, origin_secret, table_restore

COMMANDS = ("events", "dead-letters", "table", "origin-secret")


class CommandError(Exception):
    """The command cannot run as asked (for this user, this target): the message says why."""


def action_group(commands: Any, name: str, help_text: str) -> Any:
    """A command whose actions follow it (`table restore`): its action is `<name>_command`."""
    return commands.add_parser(name, help=help_text).add_subparsers(
        dest=f"{name.replace('-', '_')}_command", required=True, metavar="ACTION"
    )


def action_parser(
    commands: Any, command: tuple[str, str], action: tuple[str, str], description: str | None
) -> argparse.ArgumentParser:
    """`COMMAND ACTION`'s parser for a command of one action (`orders export`, `events replay`)."""
    parser: argparse.ArgumentParser = action_group(commands, *command).add_parser(
        action[0], help=action[1], description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    return parser


def argument_type[T](convert: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse type from a converter whose ValueError says what is wrong (argparse: exit 2)."""

    def parse(text: str) -> T:
        try:
            return convert(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def add_origin_secret_commands(commands: Any) -> None:
    """`origin-secret rotate [--finish]` (devkit/origin_secret.py)."""
    rotate = action_parser(
        commands,
        ("origin-secret", "rotate the value the CDN proves itself with (origin-secret rotate --help)"),
        ("rotate", "make a new value, keeping the old one accepted (or --finish: drop the old one)"),
        origin_secret.__doc__,
    )
    rotate.add_argument("--finish", action="store_true", help="drop the previous value, after the deploy")


def add_stack_commands(commands: Any) -> None:
    add_events_commands(commands)
    add_dead_letter_commands(commands)
    add_table_commands(commands)
    add_origin_secret_commands(commands)


def execute_stack_command(arguments: argparse.Namespace) -> str:
    """Runs one of COMMANDS; the line to print."""
    run = {
        "events": replay,
        "dead-letters": dead_letter_command,
        "table": table_command,
        "origin-secret": origin_secret_command,
    }[arguments.command]
    return run(arguments)


def _table_name(stack: str) -> str:
    found = event_replay.physical_id(boto3.client("cloudformation"), stack, "Table")
    if found is None:
        raise CommandError(f"stack {stack!r} has no Table: is it this application?")
    return found


def replay(arguments: argparse.Namespace) -> str:
    if not arguments.stack_name:
        raise CommandError("local mode keeps no event archive (moto has none): replay a deployed stack (--stack-name)")
    replay = event_replay.Replay(arguments.since, arguments.until, tuple(arguments.rule or ()))
    try:
        started = event_replay.start(
            replay, arguments.stack_name, boto3.client("cloudformation"), boto3.client("events")
        )
    except (event_replay.ReplayError, ClientError, BotoCoreError) as error:
        raise CommandError(str(error)) from error
    return (
        f"replay {started['replay']} {started['state']}: events from {started['from']} to {started['to']} "
        f"to {started['to_rules']}; follow it with `aws events describe-replay --replay-name {started['replay']}`"
    )


def dead_letter_command(arguments: argparse.Namespace) -> str:
    if not arguments.stack_name:
        raise CommandError("the local runtime has no dead-letter queues of its own: use --stack-name")
    stack = dead_letters.Stack(arguments.stack_name, boto3.client)
    action = arguments.dead_letters_command
    try:
        if action == "list":
            return "\n".join(dead_letters.depths(stack))
        if action == "show":
            return "\n".join(dead_letters.show(stack, arguments.queue, arguments.max))
        counts = dead_letters.redrive(stack, arguments.queue, arguments.max)
    except (dead_letters.DeadLetterError, ClientError, BotoCoreError) as error:
        raise CommandError(str(error)) from error
    unreadable = counts.get("unreadable", 0)
    why = f"; {unreadable} of them unreadable, see `dead-letters show`" if unreadable else ""
    return f"{arguments.queue}: {counts['sent']} sent back, {counts['kept']} kept (they failed again{why})"


def table_command(arguments: argparse.Namespace) -> str:
    if not arguments.stack_name:
        raise CommandError(
            "DynamoDB Local keeps no point-in-time backups: restore a deployed stack's table (--stack-name)"
        )
    dynamodb = boto3.client("dynamodb")
    try:
        table = _table_name(arguments.stack_name)
        if arguments.table_command == "restore":
            started = table_restore.restore(dynamodb, table, arguments.to, arguments.target_name)
            return (
                f"restoring {table} as of {arguments.to.isoformat()} into {started['table']} ({started['status']}); "
                f"wait for it with `aws dynamodb wait table-exists --table-name {started['table']}`"
            )
        copied = table_restore.copy(dynamodb, arguments.source, table, arguments.key_prefix, replace=arguments.replace)
    except (table_restore.RestoreError, ClientError, BotoCoreError) as error:
        raise CommandError(str(error)) from error
    return f"{copied.copied} items copied into {table}, {copied.kept} left as the live table has them"


def origin_secret_command(arguments: argparse.Namespace) -> str:
    if not arguments.stack_name:
        raise CommandError("the local runtime has no CDN, hence no origin secret: use --stack-name")
    try:
        secret = origin_secret.secret_id(boto3.client("cloudformation"), arguments.stack_name)
        values = origin_secret.rotate(boto3.client("secretsmanager"), secret, finish=arguments.finish)
    except (origin_secret.OriginSecretError, ClientError, BotoCoreError) as error:
        raise CommandError(str(error)) from error
    if arguments.finish:
        return f"origin secret: only the current value ({values['current']}) is accepted now"
    return (
        f"origin secret: new current {values['current']}, previous {values['previous']} still accepted; "
        "in 5 minutes deploy with OriginSecretGeneration raised by one, then run `origin-secret rotate --finish`"
    )


def add_table_commands(commands: Any) -> None:
    """`table restore|copy` (devkit/table_restore.py)."""
    actions = action_group(commands, "table", "restore the table to a point in time")
    kinds, doc = argparse.RawDescriptionHelpFormatter, table_restore.__doc__
    restore = actions.add_parser("restore", help="into a new table", description=doc, formatter_class=kinds)
    moment = argument_type(_moment)
    restore.add_argument("--to", required=True, type=moment, help="the moment: 2026-12-01T08:30:00Z")
    restore.add_argument("--target-name", help="the new table's name (default: <table>-restored-<moment>)")
    copy = actions.add_parser("copy", help="items back into the live table", description=doc, formatter_class=kinds)
    copy.add_argument("--from", dest="source", required=True, help="the restored table")
    copy.add_argument("--key-prefix", default="", help="only items whose PK starts with this (PRODUCT#p1, USER#u1)")
    copy.add_argument("--replace", action="store_true", help="overwrite what the live table has")


def _moment(text: str) -> datetime:
    return datetime.fromtimestamp(order_export.parse_since(text), UTC)


def add_dead_letter_commands(commands: Any) -> None:
    """`dead-letters list|show|redrive` (devkit/dead_letters.py)."""
    actions = action_group(commands, "dead-letters", "read and re-drive the dead-letter queues")
    kinds = argparse.RawDescriptionHelpFormatter
    actions.add_parser("list", help="each queue's depth", description=dead_letters.__doc__, formatter_class=kinds)
    for action, help_text in (("show", "print a queue's messages"), ("redrive", "send a queue's messages back")):
        parser = actions.add_parser(action, help=help_text, description=dead_letters.__doc__, formatter_class=kinds)
        parser.add_argument("queue", choices=list(dead_letters.QUEUES), metavar="QUEUE", help="the logical id")
        parser.add_argument("--max", type=int, default=100, help="at most this many messages (default 100)")


def add_events_commands(commands: Any) -> None:
    """`events replay`: the archive's events of a period, sent to the bus again (devkit/event_replay.py)."""
    replay = action_parser(
        commands,
        ("events", "replay archived events (events replay --help)"),
        ("replay", "send the events of a period to the bus again, from its archive"),
        event_replay.__doc__,
    )
    moment = argument_type(order_export.parse_since)
    replay.add_argument("--since", required=True, type=moment, help="from: 2026-12-01 or 2026-12-01T08:30:00Z")
    replay.add_argument("--until", type=moment, help="to (default: now)")
    replay.add_argument("--rule", action="append", help="only to this rule (repeat; default: every rule)")
