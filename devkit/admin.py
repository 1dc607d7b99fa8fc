"""Manage users' roles and access, and export orders, from the command line: `make admin ARGS="..."`.

    python -m devkit.admin [--stack-name NAME | --data-dir DIR] COMMAND ...

    create  --email E [--password P] [--name N] [--role customer|manager|admin]
    promote --email E [--role manager|admin]      (default admin)
    demote  --email E [--role customer|manager]   (default customer)
    disable --email E        refuses sign-in, refresh and the user's tokens
    enable  --email E
    show    --email E
    orders export --since DATE|DATETIME [--status S]... [--output FILE]
                             CSV of the orders created since then, newest first
                             (every status unless --status; standard output unless --output)
    events replay --since DATE|DATETIME [--until DATE|DATETIME] [--rule RULE]...
                             send the archived events of that period to the bus again
                             (every rule unless --rule; a deployed stack only)
    dead-letters list        each dead-letter queue's depth (a deployed stack only)
    dead-letters show QUEUE [--max N]
                             its messages, left where they are
    dead-letters redrive QUEUE [--max N]
                             each message sent back the way it came, deleted once it is
    table restore --to DATETIME [--target-name NAME]
                             the table as it was then, restored into a new table
    table copy --from NAME --key-prefix PREFIX [--replace]
                             items of a restored table put back into the live one

By default it works on the running local runtime (`make dev`; it reads the runtime's
`runtime.json` for the emulators' endpoints and the table's name); with --stack-name on
a deployed stack (its TableName and JwtSecretArn outputs, with the usual AWS
credentials and region). Without --password, `create` asks for one.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from devkit import dead_letters, event_replay, localstate, order_export, table_restore
from devkit.localrun.config import REGION
from storefront.domain.identity.roles import Role  # safe before configure(): it reads no settings

if TYPE_CHECKING:
    from storefront.domain.users.entities import Profile

ROLES = [role.value for role in Role]


class TargetError(SystemExit):
    """No runtime or stack to work on: the message says what to do."""


def local_environment(data_dir: Path) -> dict[str, str]:
    """The variables that point the shared package at the running local runtime's emulators."""
    path = localstate.state_file(data_dir)
    if not path.exists():
        raise TargetError(
            f"no local runtime is running ({path} is missing): start it with `make dev`, or pass --stack-name"
        )
    state = localstate.read_state(data_dir)
    try:
        os.kill(int(state["pid"]), 0)
    except (OSError, KeyError, TypeError, ValueError):
        raise TargetError(f"the local runtime that wrote {path} is gone: start it with `make dev`") from None
    if "client_environment" not in state:
        raise TargetError(f"{path} is from an older runtime: restart it with `make dev`")
    return {**state["client_environment"], **state["environment"]}


def stack_environment(stack_name: str, cloudformation: Any | None = None) -> dict[str, str]:
    """The variables for a deployed stack: its outputs; credentials and region stay AWS's own."""
    return stack_target(stack_name, cloudformation)[0]


def stack_target(stack_name: str, cloudformation: Any | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """A deployed stack's variables (see stack_environment) and all its outputs, from one request."""
    try:
        client = cloudformation or boto3.client("cloudformation")
        stack = client.describe_stacks(StackName=stack_name)["Stacks"][0]
    except (ClientError, BotoCoreError) as error:  # no such stack, no credentials, no region
        raise TargetError(f"stack {stack_name!r}: {error}") from error
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}
    missing = [name for name in ("TableName", "JwtSecretArn") if name not in outputs]
    if missing:
        raise TargetError(f"stack {stack_name!r} has no output {', '.join(missing)}: is it this application?")
    parameters = {item["ParameterKey"]: item.get("ParameterValue", "") for item in stack.get("Parameters", [])}
    region = client.meta.region_name
    environment = {
        "TABLE_NAME": outputs["TableName"],
        "JWT_SECRET_ARN": outputs["JwtSecretArn"],
        "STAGE": parameters.get("Stage") or "dev",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
    }
    return environment, outputs


def configure(environment: dict[str, str]) -> None:
    """Set the environment the shared package reads; it must not have read its settings yet."""
    if "storefront.settings" in sys.modules:
        from storefront.settings import get_settings

        if get_settings.cache_info().currsize:
            raise RuntimeError("configure() must run before the storefront package reads its settings")
    for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
        del os.environ[name]  # a deployed stack is reached at AWS's own endpoints
    os.environ.update(environment)
    os.environ.setdefault("AWS_REGION", REGION)
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")


def describe(profile: Profile) -> str:
    state = "disabled" if profile.disabled else "enabled"
    return f"{profile.email}  role={profile.role.value}  {state}  id={profile.id}"


def execute(arguments: argparse.Namespace) -> str:
    """Runs one parsed command through the domain use cases; the line to print ("" for none)."""
    from storefront.domain.identity.service import create_user
    from storefront.domain.users.service import find_user_by_email, set_user_access

    command = arguments.command
    if command == "events":  # `events replay`
        return _replay(arguments)
    if command == "dead-letters":
        return _dead_letters(arguments)
    if command == "table":
        return _table(arguments)
    if command == "orders":  # `orders export`, the only orders command: its summary goes to stderr
        statuses = tuple(dict.fromkeys(arguments.status or order_export.STATUSES))
        order_export.run(order_export.Export(arguments.since, statuses, arguments.output))
        return ""
    if command == "create":
        password = arguments.password or getpass.getpass("Password for the new user: ")
        user = create_user(arguments.email, password, arguments.name or arguments.email, Role(arguments.role))
        return "created " + describe(find_user_by_email(user.email))
    if command in ("promote", "demote"):
        current = find_user_by_email(arguments.email)
        role = Role(arguments.role)
        if current.role is role:
            return "unchanged " + describe(current)
        raising = role.rank > current.role.rank
        if raising != (command == "promote"):
            other = "demote" if command == "promote" else "promote"
            raise CommandError(f"{current.email} is {current.role.value} now: use {other} to make it {role.value}")
        return f"{command}d " + describe(set_user_access(arguments.email, role=role))
    if command in ("disable", "enable"):
        return f"{command}d " + describe(set_user_access(arguments.email, disabled=command == "disable"))
    return describe(find_user_by_email(arguments.email))


class CommandError(Exception):
    """The command makes no sense for this user."""


def _replay(arguments: argparse.Namespace) -> str:
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


def _dead_letters(arguments: argparse.Namespace) -> str:
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
    return f"{arguments.queue}: {counts['sent']} sent back, {counts['kept']} kept (they failed again)"


def _table(arguments: argparse.Namespace) -> str:
    if not arguments.stack_name:
        raise CommandError(
            "DynamoDB Local keeps no point-in-time backups: restore a deployed stack's table (--stack-name)"
        )
    environment, _ = stack_target(arguments.stack_name)
    dynamodb, table = boto3.client("dynamodb"), environment["TABLE_NAME"]
    try:
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


def explain(error: Exception) -> str:
    """A domain error as one line, naming the option at fault when there is one."""
    from storefront.domain.errors import DomainError

    if not isinstance(error, DomainError):
        return str(error)
    fields = sorted({str(failure.field[-1]) for failure in error.errors or []})
    return f"--{', --'.join(fields)}: {error.detail}" if fields else error.detail


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """--stack-name or --data-dir: what every operator command works on."""
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--stack-name", help="a deployed stack (default: the running local runtime)")
    target.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("LOCAL_DATA_DIR") or localstate.DATA_DIR),
        help="the local runtime's data directory (env LOCAL_DATA_DIR; default .local)",
    )


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python -m devkit.admin", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_target_arguments(main)
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")
    create = commands.add_parser("create", help="create a user with a role")
    create.add_argument("--password", help="at least 8 characters (asked for when left out)")
    create.add_argument("--name", help="display name (default: the email)")
    create.add_argument("--role", choices=ROLES, default=Role.CUSTOMER.value)
    promote = commands.add_parser("promote", help="raise a user's role")
    promote.add_argument("--role", choices=ROLES[1:], default=Role.ADMIN.value)
    demote = commands.add_parser("demote", help="lower a user's role")
    demote.add_argument("--role", choices=ROLES[:-1], default=Role.CUSTOMER.value)
    commands.add_parser("disable", help="refuse the user's sign-in, refresh and tokens")
    commands.add_parser("enable", help="let a disabled user in again")
    commands.add_parser("show", help="print the user")
    for command in commands.choices.values():
        command.add_argument("--email", required=True, help="the user's email, in any casing")
    add_orders_commands(commands)
    add_events_commands(commands)
    add_dead_letter_commands(commands)
    add_table_commands(commands)
    return main


def add_table_commands(commands: Any) -> None:
    """`table restore|copy` (devkit/table_restore.py)."""
    actions = commands.add_parser("table", help="restore the table to a point in time").add_subparsers(
        dest="table_command", required=True, metavar="ACTION"
    )
    kinds, doc = argparse.RawDescriptionHelpFormatter, table_restore.__doc__
    restore = actions.add_parser("restore", help="into a new table", description=doc, formatter_class=kinds)
    moment = _argument_type(_moment)
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
    actions = commands.add_parser("dead-letters", help="read and re-drive the dead-letter queues").add_subparsers(
        dest="dead_letters_command", required=True, metavar="ACTION"
    )
    kinds = argparse.RawDescriptionHelpFormatter
    actions.add_parser("list", help="each queue's depth", description=dead_letters.__doc__, formatter_class=kinds)
    for action, help_text in (("show", "print a queue's messages"), ("redrive", "send a queue's messages back")):
        parser = actions.add_parser(action, help=help_text, description=dead_letters.__doc__, formatter_class=kinds)
        parser.add_argument("queue", choices=list(dead_letters.QUEUES), metavar="QUEUE", help="the logical id")
        parser.add_argument("--max", type=int, default=100, help="at most this many messages (default 100)")


def add_events_commands(commands: Any) -> None:
    """`events replay`: the archive's events of a period, sent to the bus again (devkit/event_replay.py)."""
    replay = _action_parser(
        commands,
        ("events", "replay archived events (events replay --help)"),
        ("replay", "send the events of a period to the bus again, from its archive"),
        event_replay.__doc__,
    )
    moment = _argument_type(order_export.parse_since)
    replay.add_argument("--since", required=True, type=moment, help="from: 2026-12-01 or 2026-12-01T08:30:00Z")
    replay.add_argument("--until", type=moment, help="to (default: now)")
    replay.add_argument("--rule", action="append", help="only to this rule (repeat; default: every rule)")


def _action_parser(
    commands: Any, command: tuple[str, str], action: tuple[str, str], description: str | None
) -> argparse.ArgumentParser:
    """`COMMAND ACTION`'s parser (`orders export`, `events replay`): each command names its action."""
    name, help_text = command
    actions = commands.add_parser(name, help=help_text).add_subparsers(
        dest=f"{name}_command", required=True, metavar="ACTION"
    )
    parser: argparse.ArgumentParser = actions.add_parser(
        action[0], help=action[1], description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    return parser


def _argument_type[T](convert: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse type from a converter whose ValueError says what is wrong (argparse: exit 2)."""

    def parse(text: str) -> T:
        try:
            return convert(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def add_orders_commands(commands: Any) -> None:
    """`orders export`: staff's CSV of orders (devkit/order_export.py)."""
    export = _action_parser(
        commands,
        ("orders", "export orders as CSV (orders export --help)"),
        ("export", "write the orders created since a date as CSV, newest first"),
        order_export.__doc__,
    )
    export.add_argument(
        "--since",
        required=True,
        type=_argument_type(order_export.parse_since),
        help="orders created at or after this: 2026-12-01 (midnight UTC) or 2026-12-01T08:30:00Z",
    )
    export.add_argument(
        "--status",
        action="append",
        choices=order_export.STATUSES,
        help="only this status (repeat for several; default: every status)",
    )
    export.add_argument(
        "--output",
        type=_argument_type(order_export.check_output),
        help="the CSV file to write (replaced once complete; default: standard output)",
    )


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    if arguments.stack_name:
        environment = stack_environment(arguments.stack_name)
    else:
        environment = local_environment(arguments.data_dir.resolve())
    configure(environment)
    from storefront.domain.errors import DomainError

    try:
        line = execute(arguments)
        if line:
            print(line)
    except (DomainError, CommandError) as error:
        print(f"error: {explain(error)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
