"""`make dev`: run the whole API locally until Ctrl-C.

    python -m devkit.localrun [--port N] [--data-dir DIR] [--template FILE] [--no-java] [--ttl-sweep-seconds S]
                              [--schedule-scale F]

Payments: localstripe on 127.0.0.1:STRIPE_PORT (8420) with STRIPE_WEBHOOK_SECRET (default
printed); LOCAL_STRIPE=0 with STRIPE_API_KEY=sk_test_... uses Stripe's test mode instead.

PORT, LOCAL_DATA_DIR, LOCAL_TTL_SWEEP_SECONDS and LOCAL_SCHEDULE_SCALE set the defaults of
--port, --data-dir, --ttl-sweep-seconds and --schedule-scale. Ready once
GET /v1/health answers 200. At start it ensures an admin account from
LOCAL_ADMIN_EMAIL / LOCAL_ADMIN_PASSWORD (defaults below) and prints both.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from devkit.localrun.config import DEFAULT_STACK_NAME, TemplateError
from devkit.localrun.emulators import EmulatorError
from devkit.localrun.runtime import InvalidAdmin, LocalAdmin, Options, Runtime, RuntimeInUse
from devkit.localrun.stripe import StripeOptions, StripeSetupError
from devkit.localrun.ttl import DEFAULT_SWEEP_S
from devkit.template import ROOT, TEMPLATE_PATH

# Local only, and printed at every start: a convenience, not a secret.
DEFAULT_ADMIN_EMAIL = "admin@storefront.local"
DEFAULT_ADMIN_PASSWORD = "local-admin-password"


class _Shutdown(Exception):
    """Raised in the main thread by SIGINT/SIGTERM."""


def _parse(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m devkit.localrun", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 3000), help="HTTP port (env PORT)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("LOCAL_DATA_DIR") or ROOT / ".local"),
        help="where local data lives (env LOCAL_DATA_DIR; default .local)",
    )
    parser.add_argument("--template", type=Path, default=TEMPLATE_PATH, help="the SAM template to run")
    parser.add_argument("--stack-name", default=DEFAULT_STACK_NAME, help="prefix of the local resource names")
    parser.add_argument("--no-java", action="store_true", help="run DynamoDB on moto, in memory, even if Java is here")
    parser.add_argument(
        "--ttl-sweep-seconds",
        type=_positive_seconds,
        default=os.environ.get("LOCAL_TTL_SWEEP_SECONDS") or DEFAULT_SWEEP_S,
        help=f"seconds between the sweeps deleting expired items (env LOCAL_TTL_SWEEP_SECONDS; {DEFAULT_SWEEP_S:g})",
    )
    parser.add_argument(
        "--schedule-scale",
        type=_schedule_scale,
        default=os.environ.get("LOCAL_SCHEDULE_SCALE") or 1.0,
        help="multiplies the interval of every rate(...) schedule: 0.05 runs rate(1 minute) every 3 s "
        "(env LOCAL_SCHEDULE_SCALE; 1)",
    )
    parser.add_argument(
        "--parameter", action="append", default=[], metavar="NAME=VALUE", help="override a template parameter"
    )
    arguments = parser.parse_args(argv)
    if any("=" not in item for item in arguments.parameter):
        parser.error("--parameter takes NAME=VALUE")
    overrides = dict(item.split("=", 1) for item in arguments.parameter)
    try:
        stripe = StripeOptions.from_environment(os.environ)
    except StripeSetupError as error:
        parser.error(str(error))
    password = os.environ.get("LOCAL_ADMIN_PASSWORD") or DEFAULT_ADMIN_PASSWORD
    admin = LocalAdmin(
        email=os.environ.get("LOCAL_ADMIN_EMAIL") or DEFAULT_ADMIN_EMAIL,
        password=password,
        is_default_password=password == DEFAULT_ADMIN_PASSWORD,
    )
    return Options(
        port=arguments.port,
        data_dir=arguments.data_dir.resolve(),
        template=arguments.template.resolve(),
        stack_name=arguments.stack_name,
        use_java=not arguments.no_java,
        parameter_overrides=overrides,
        admin=admin,
        ttl_sweep_s=arguments.ttl_sweep_seconds,
        schedule_scale=arguments.schedule_scale,
        stripe=stripe,
    )


def _positive_seconds(text: str | float) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: the TTL sweep needs a positive number of seconds")
    return seconds


def _schedule_scale(text: str | float) -> float:
    try:
        scale = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    # At most 1: a schedule runs as on AWS or faster (tests, trying the order expiry), never slower.
    if not 0 < scale <= 1:
        raise argparse.ArgumentTypeError(f"{text!r}: the schedule scale must be above 0 and at most 1")
    return scale


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    options = _parse(argv)
    _configure_logging()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise _Shutdown(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    runtime = Runtime(options)
    try:
        print(f"Starting the local runtime for {options.template.name}...", flush=True)
        runtime.start()
        print(runtime.describe(), flush=True)
        print(f"Ready: {runtime.url}  (Ctrl-C stops)", flush=True)
        threading.Event().wait()  # until a signal raises _Shutdown here
    except _Shutdown as stop:
        print(f"\n{stop}: stopping...", flush=True)
    except (OSError, TemplateError, EmulatorError, RuntimeInUse, InvalidAdmin) as error:
        print(f"The local runtime could not start: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # stopping has bounded waits: let it finish
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        runtime.stop()
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
