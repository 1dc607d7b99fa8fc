"""The runtime, start to stop: emulators, environment, resources, functions, router, sources."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from devkit import localstate
from devkit.localrun.api import http_apis
from devkit.localrun.config import DEFAULT_STACK_NAME, LocalTemplate
from devkit.localrun.emulators import Emulators, start_emulators
from devkit.localrun.eventsources import SourceWiring
from devkit.localrun.host import LocalFunction, load_functions
from devkit.localrun.images import LOCAL_IMAGES_PATH, LocalImages
from devkit.localrun.pollers import Worker
from devkit.localrun.resources import SEARCH_BUCKET, SecretStore, provision_resources
from devkit.localrun.router import Gateway, JwtVerifier
from devkit.localrun.stripe import Payments, StripeOptions
from devkit.localrun.ttl import DEFAULT_SWEEP_S, TtlDeletions, TtlSweeper, ttl_tables
from devkit.template import ROOT, TEMPLATE_PATH

log = logging.getLogger("localrun")
access_log = logging.getLogger("localrun.http")

DOCS_PATH = "/v1/docs"
STATE_SERVICES = ("dynamodb", "dynamodbstreams", "s3", "events", "sqs", "secretsmanager")


@dataclass
class Options:
    port: int = 3000
    data_dir: Path = ROOT / ".local"
    template: Path = TEMPLATE_PATH
    stack_name: str = DEFAULT_STACK_NAME
    use_java: bool = True
    serve_http: bool = True
    schedule_scale: float = 1.0  # tests run rate(1 minute) in a fraction of a second
    parameter_overrides: dict[str, str] = field(default_factory=dict)
    # The admin account ensured at start (`make dev` passes LOCAL_ADMIN_*); None: no account.
    admin: LocalAdmin | None = None
    # Make what a new stack makes at creation: the token keys (and their JWKS) and a first
    # search index. Through the shared package, so only where the process has not read its
    # settings before (a test that hosts the runtime in its own process says False).
    prepare_store: bool = True
    # Seconds between the sweeps that delete expired items, as the table's TTL does on AWS.
    ttl_sweep_s: float = DEFAULT_SWEEP_S
    # localstripe (on a free port unless given) or Stripe's test mode: devkit/localrun/stripe.py.
    stripe: StripeOptions = field(default_factory=StripeOptions)


@dataclass(frozen=True)
class LocalAdmin:
    email: str
    password: str
    is_default_password: bool = False
    name: str = "Local Admin"


@dataclass(frozen=True)
class EnsuredAdmin:
    email: str
    password: str
    is_default_password: bool
    created: bool
    password_matches: bool  # False: the account's password was changed since it was created


class RuntimeInUse(Exception):
    """Another runtime already runs on this data directory."""


class InvalidAdmin(Exception):
    """LOCAL_ADMIN_EMAIL or LOCAL_ADMIN_PASSWORD cannot make an account."""


_ADMIN_VARIABLES = {"email": "LOCAL_ADMIN_EMAIL", "password": "LOCAL_ADMIN_PASSWORD"}


def _refuse_a_second_runtime(data_dir: Path) -> None:
    # Two DynamoDB Locals on one database file would corrupt it.
    try:
        pid = int(json.loads(localstate.state_file(data_dir).read_text())["pid"])
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError, TypeError):
        return  # no state file, a stale one, or its process is gone
    state = localstate.state_file(data_dir)
    raise RuntimeInUse(f"another local runtime (pid {pid}) uses {data_dir}: stop it, or delete {state} if it is gone")


class _RequestHandler(WSGIRequestHandler):
    timeout = 60  # an idle or stuck client frees its thread

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        access_log.info('"%s" %s %s', self.requestline, code, size)


class Runtime:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.stop_event = threading.Event()
        self.emulators: Emulators | None = None
        self.template: LocalTemplate | None = None
        self.functions: dict[str, LocalFunction] = {}
        self.gateway: Gateway | None = None
        self.server: BaseWSGIServer | None = None
        self.pollers: list[Worker] = []
        self._server_thread: threading.Thread | None = None
        self.admin: EnsuredAdmin | None = None
        self.images: LocalImages | None = None
        self.payments: Payments | None = None

    def aws_client(self, service: str) -> Any:
        """A client of the running emulators (the table's, moto's for the rest)."""
        assert self.emulators is not None, "the runtime is not running"
        return self.emulators.client(service)

    @property
    def url(self) -> str:
        assert self.server is not None, "the HTTP server is not running"
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> None:
        """Everything up, in the order the functions need it; stops what started if a step fails."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        options = self.options
        options.data_dir.mkdir(parents=True, exist_ok=True)
        _refuse_a_second_runtime(options.data_dir)
        # Bind the port first: a port in use fails in a second, not after Java started.
        if options.serve_http:
            self.server = make_server(
                "127.0.0.1", options.port, self._wsgi, threaded=True, request_handler=_RequestHandler
            )
        self.emulators = start_emulators(options.data_dir, use_java=options.use_java)
        # localstripe boots while the rest starts; its store is kept only where the table is.
        self.payments = Payments.start(options.stripe, options.data_dir)
        self.payments.launch(keep_state=self.emulators.persistent)
        template = LocalTemplate(
            options.template,
            stack_name=options.stack_name,
            parameter_overrides=options.parameter_overrides,
            queue_endpoint=self.emulators.moto.endpoint,
        )
        self.template = template
        # The shared package reads its settings once, at import: all of this comes first.
        os.environ.update(self.emulators.environment())
        os.environ.update(template.shared_environment())
        os.environ.update(self._local_environment())
        provision_resources(template, self.emulators, options.data_dir)
        for path in reversed(template.layer_paths()):
            if str(path) not in sys.path:
                sys.path.insert(0, str(path))
        if options.prepare_store and SIGNING_SECRET in template.resources() and os.environ.get("IMAGES_BUCKET"):
            ensure_signing_keys()
        if options.admin is not None:
            self.admin = ensure_admin(options.admin)
        self._write_state()
        local = self._local_environment()
        self.functions = load_functions(
            [
                replace(function, environment={**function.environment, **local})
                if local.keys() & function.environment.keys()
                else function
                for function in template.functions()
            ]
        )
        bucket = os.environ.get("IMAGES_BUCKET")
        if bucket:
            self.images = LocalImages(self.emulators.client("s3"), bucket)
        self.gateway = Gateway(
            http_apis(template), self.functions, jwt_verifier=JwtVerifier(self._local_environment()["JWT_ISSUER"])
        )
        if options.prepare_store and os.environ.get("SEARCH_BUCKET") and SEARCH_BUCKET in template.resources():
            ensure_search_index()
        deletions = TtlDeletions()
        wiring = SourceWiring(
            template, self.functions, self.emulators, self.stop_event, options.schedule_scale, deletions
        )
        self.pollers = [*wiring.wire(), *self._ttl_sweeper(deletions)]
        for poller in self.pollers:
            poller.start()
        self.payments.ready(self._api_url())
        if self.server is not None:
            self._server_thread = threading.Thread(target=self.server.serve_forever, name="localrun-http", daemon=True)
            self._server_thread.start()

    def _ttl_sweeper(self, deletions: TtlDeletions) -> list[Worker]:
        assert self.template is not None
        assert self.emulators is not None
        tables = ttl_tables(self.template)
        if not tables:
            return []
        client = self.emulators.client("dynamodb")
        return [TtlSweeper(client, tables, deletions, self.stop_event, interval_s=self.options.ttl_sweep_s)]

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.gateway is None:  # a request raced the start
            start_response("503 Service Unavailable", [("Content-Type", "application/json")])
            return [b'{"message":"Service Unavailable"}']
        if self.images is not None and LocalImages.handles(environ.get("PATH_INFO", "")):
            return self.images(environ, start_response)
        return self.gateway(environ, start_response)

    def _local_environment(self) -> dict[str, str]:
        """Variables whose AWS value means nothing here: image URLs and the token issuer (where
        its JWKS is published) point at this runtime's route for the bucket, the operator tools
        find the signing keys' secret, and search checks for a new index every second."""
        assert self.template is not None
        port = self.server.server_port if self.server is not None else self.options.port
        cdn = f"http://127.0.0.1:{port}{LOCAL_IMAGES_PATH}"
        environment = {"IMAGES_BASE_URL": cdn, "JWT_ISSUER": cdn, "SEARCH_INDEX_CHECK_SECONDS": "1"}
        if SIGNING_SECRET in self.template.resources():
            environment["JWT_SECRET_ARN"] = self.template.physical_name(SIGNING_SECRET)
        if self.payments is not None:
            environment.update(self.payments.environment())
        return environment

    def _api_url(self) -> str:
        return self.url if self.server is not None else f"http://127.0.0.1:{self.options.port}"

    def wait_sources_ready(self, timeout_s: float = 10.0) -> bool:
        """True once every source watches its stream or queue (a LATEST stream misses earlier writes)."""
        return all(poller.ready.wait(timeout_s) for poller in self.pollers)

    def stop(self) -> None:
        """Idempotent: sources first, then the server, then the emulators (Java last)."""
        self.stop_event.set()
        if self.server is not None:
            if self._server_thread is not None:
                self.server.shutdown()
                self._server_thread = None
            self.server.server_close()
        for poller in self.pollers:
            poller.join(timeout=5)
        if self.payments is not None:
            self.payments.stop()
        if self.emulators is not None:
            self._keep_secrets()
            self.emulators.stop()
            self.emulators = None
            localstate.state_file(self.options.data_dir).unlink(missing_ok=True)

    def _secret_names(self) -> dict[str, str]:
        assert self.template is not None
        return {
            logical_id: self.template.physical_name(logical_id)
            for logical_id in self.template.resources("AWS::SecretsManager::Secret")
        }

    def _write_state(self) -> None:
        """`.local/runtime.json`: how the operator tools (make rotate-key) reach this runtime."""
        assert self.emulators is not None
        assert self.template is not None
        secrets = self._secret_names()
        environment = self.template.shared_environment()
        state = {
            "pid": os.getpid(),
            "api_url": self.url if self.server is not None else None,
            "endpoints": {service: self.emulators.endpoint(service) for service in STATE_SERVICES},
            # What a client process sets to reach the emulators (fake credentials, endpoints).
            "client_environment": self.emulators.environment(),
            "secrets": secrets,
            "environment": {**environment, **self._local_environment()},
            "outputs": self.template.local_outputs(),
        }
        localstate.write_state(state, self.options.data_dir)

    def _keep_secrets(self) -> None:
        """Secrets changed while running (a key rotation) outlive the in-memory moto."""
        if self.template is None or self.emulators is None:
            return
        store = SecretStore(self.options.data_dir)
        client = self.emulators.client("secretsmanager")
        for name in self._secret_names().values():
            try:
                store.update(name, str(client.get_secret_value(SecretId=name)["SecretString"]))
            except Exception:  # never let a failing read stop the shutdown
                log.warning("could not keep the value of secret %s", name, exc_info=True)

    def describe(self) -> str:
        assert self.emulators is not None
        assert self.gateway is not None
        lines = []
        if self.server is not None:
            lines += [f"API:      {self.url}"]
            if any(route.path == DOCS_PATH for route in self.gateway.table.routes):
                lines += [f"Docs:     {self.url}{DOCS_PATH}"]
        lines += self.emulators.describe()
        lines += [f"Data:     {self.options.data_dir} (make dev-reset forgets it)"]
        if self.payments is not None:
            lines += self.payments.describe(self._api_url())
        lines += ["Routes:"] + [
            f"  {route.method:7} {route.path}  → {route.function}{'' if route.public else ' [authorizer]'}"
            for route in self.gateway.table.routes
        ]
        if self.pollers:
            lines += ["Event sources:"] + [f"  {poller.description}" for poller in self.pollers]
        if self.admin is not None:
            lines += describe_admin(self.admin)
        return "\n".join(lines)


SIGNING_SECRET = "JwtSigningSecret"  # the template's secret of the tokens' private keys


def ensure_search_index() -> None:
    """A first (possibly empty) search index before `Ready`, so a new store's first search answers.

    Without it the first search finds no index, asks the indexer for one and answers 503
    with Retry-After. A deployed stack gets its first index the same way, from its
    `SearchIndex` custom resource.
    """
    from storefront.search import indexing

    outcome = indexing.ensure_index()
    if outcome is not None:
        log.info("built the search index: %d products", outcome.indexed)


def ensure_signing_keys() -> None:
    """The tokens' first RS256 keys and their published JWKS, as the stack's custom resource makes them."""
    from storefront.security.key_store import ensure_keys

    ensure_keys()


def ensure_admin(admin: LocalAdmin) -> EnsuredAdmin:
    """The admin account, through the identity use case (the process's environment is set)."""
    # Imported here: the shared package reads its settings at import, after the environment.
    from storefront.domain.errors import DomainError
    from storefront.domain.identity.roles import Role
    from storefront.domain.identity.service import ensure_user

    try:
        ensured = ensure_user(admin.email, admin.password, admin.name, Role.ADMIN)
    except DomainError as error:
        fields = {str(failure.field[-1]) for failure in error.errors or []}
        variables = ", ".join(sorted(_ADMIN_VARIABLES.get(name, name) for name in fields)) or "the local admin"
        raise InvalidAdmin(f"{variables}: {error.detail}") from error
    if ensured.created:
        log.info("created the local admin %s", ensured.user.email)
    return EnsuredAdmin(
        email=ensured.user.email,
        password=admin.password,
        is_default_password=admin.is_default_password,
        created=ensured.created,
        password_matches=ensured.password_matches,
    )


def describe_admin(admin: EnsuredAdmin) -> list[str]:
    if not admin.password_matches:
        password = "not LOCAL_ADMIN_PASSWORD: the account already had another one (make dev-reset starts afresh)"
    elif admin.is_default_password:
        password = f"{admin.password}  (the default: set LOCAL_ADMIN_PASSWORD to choose one)"
    else:
        password = f"{admin.password}  (from LOCAL_ADMIN_PASSWORD)"
    return [f"Admin:    {admin.email}", f"Password: {password}"]
