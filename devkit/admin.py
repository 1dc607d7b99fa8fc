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
    origin-secret rotate [--finish]
                             a new value for the CDN to prove itself with (see its --help)

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
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from devkit import localstate, order_export
from devkit.admin_stack import COMMANDS as STACK_COMMANDS
from devkit.admin_stack import CommandError as CommandError  # the error of every command, user or stack
from devkit.admin_stack import action_parser, add_stack_commands, argument_type, execute_stack_command
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
    if command in STACK_COMMANDS:
        return execute_stack_command(arguments)
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
    add_stack_commands(commands)
    return main


def add_orders_commands(commands: Any) -> None:
    """`orders export`: staff's CSV of orders (devkit/order_export.py)."""
    export = action_parser(
        commands,
        ("orders", "export orders as CSV (orders export --help)"),
        ("export", "write the orders created since a date as CSV, newest first"),
        order_export.__doc__,
    )
    export.add_argument(
        "--since",
        required=True,
        type=argument_type(order_export.parse_since),
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
        type=argument_type(order_export.check_output),
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
