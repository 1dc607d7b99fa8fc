"""Counts what AWS would bill while the local runtime serves the shopper mix, from outside the product code.

The runtime runs in the benchmark's own process, so nothing in functions/ or layers/ changes:

- every function's handler is wrapped: one Lambda request each, its duration (inside the
  function's lock, as one execution environment runs it) billed at the template's MemorySize;
- every botocore client made from now on (boto3's and pynamodb's) gets event hooks: DynamoDB
  calls are sent with ReturnConsumedCapacity=INDEXES and their units summed, TransactWriteItems
  re-priced per item (DynamoDB Local rounds the sum of the items, AWS each item), and the calls
  to EventBridge, SQS, S3, Secrets Manager and KMS counted;
- the HTTP server's WSGI app is wrapped: one API Gateway, CloudFront, CloudFront Function (the
  template's viewer-request function) and WAF request each, and its response bytes;
- the functions' stdout (their Powertools JSON logs and metric lines) is counted, plus Lambda's
  own two JSON lines per invocation and API Gateway's access log line per request.

Only calls made inside an invocation are billed: the runtime's own pollers, the emulated Lambda
event-source polling and the bench's setup are not. What AWS does on our behalf is added from
what was delivered: each SQS batch handed to a function costs a ReceiveMessage and a
DeleteMessageBatch, and each message a rule put on a queue a SendMessage.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO, cast

import botocore.session

from bench.cost_model import (
    billed_gb_seconds,
    eventbridge_entry_events,
    firehose_billed_bytes,
    item_size,
    transaction_index_units,
    transaction_write_units,
)

# Lambda's JSON log format writes platform.start and platform.report per invocation (sizes of
# real lines with a request id and the report's metrics).
PLATFORM_LOG_BYTES = 130 + 260
# The template's access log format with typical values (route, ids, times, user agent).
ACCESS_LOG_BYTES = 420
# CloudWatch Logs counts 26 bytes of metadata with each log event.
LOG_EVENT_OVERHEAD_BYTES = 26
# The analytics rule's pattern (`source: [storefront]`): each such event becomes a Firehose record.
ANALYTICS_SOURCE = "storefront"
CAPACITY_OPERATIONS = frozenset(
    {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem"}
    | {"TransactGetItems", "TransactWriteItems"}
)
READ_OPERATIONS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
S3_WRITES = frozenset({"PutObject", "CopyObject", "PostObject", "ListObjects", "ListObjectsV2"})


class Meter:
    """Usage per bucket: the activity running now (`phase`), or `scheduled` for timer-driven invocations."""

    def __init__(self, queues_fed_by_rules: set[str]) -> None:
        self.phase: str | None = None  # None: setup, not billed
        self.usage: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
        # "<bucket> <function>" -> invocations, gb_seconds, log_bytes
        self.functions: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.last_invocation = time.monotonic()
        self._queues_fed_by_rules = queues_fed_by_rules
        self._local = threading.local()
        self._lock = threading.Lock()
        self.reader: Any = None  # a DynamoDB client of the runtime, to read items' sizes (unbilled)

    def add(self, bucket: str | None, quantity: str, amount: float) -> None:
        if bucket is not None:
            with self._lock:
                self.usage[bucket][quantity] += amount

    def _bucket(self) -> str | None:
        return getattr(self._local, "bucket", None)

    # ------------------------------------------------------------ Lambda

    def wrap_handler(self, function: str, memory_mb: int, handler: Callable[[Any, Any], Any]) -> Callable[..., Any]:
        def measured(event: Any, context: Any) -> Any:
            scheduled = isinstance(event, dict) and event.get("detail-type") == "Scheduled Event"
            bucket = "scheduled" if scheduled else self.phase
            self._local.bucket, self._local.function = bucket, function
            started = time.perf_counter()
            try:
                return handler(event, context)
            finally:
                elapsed_ms = (time.perf_counter() - started) * 1000
                self._local.bucket = None
                if not scheduled:
                    self.last_invocation = time.monotonic()
                self._invoked(bucket, function, billed_gb_seconds(elapsed_ms, memory_mb), event)

        return measured

    def _invoked(self, bucket: str | None, function: str, gb_seconds: float, event: Any) -> None:
        self.add(bucket, "lambda_requests", 1)
        self.add(bucket, "lambda_gb_seconds", gb_seconds)
        self.add(bucket, "log_bytes", PLATFORM_LOG_BYTES + 2 * LOG_EVENT_OVERHEAD_BYTES)
        if bucket is not None:
            with self._lock:
                counts = self.functions[f"{bucket} {function}"]
                counts["invocations"] += 1
                counts["gb_seconds"] += gb_seconds
        records = event.get("Records") if isinstance(event, dict) else None
        sqs = [record for record in records or [] if record.get("eventSource") == "aws:sqs"]
        if sqs:  # Lambda's poller received the batch and deletes it; a rule had sent each message
            self.add(bucket, "sqs_requests", 2)
            fed = sum(record.get("eventSourceARN") in self._queues_fed_by_rules for record in sqs)
            self.add(bucket, "sqs_requests", fed)

    # ------------------------------------------------------------ logs

    def counted_log(self, text: str) -> None:
        bucket = self._bucket() or self.phase
        size = len(text.encode()) + text.count("\n") * LOG_EVENT_OVERHEAD_BYTES
        self.add(bucket, "log_bytes", size)
        function = getattr(self._local, "function", None) if self._bucket() else None
        if bucket is not None and function is not None:
            with self._lock:
                self.functions[f"{bucket} {function}"]["log_bytes"] += size

    # ------------------------------------------------------------ HTTP

    def wrap_wsgi(self, app: Callable[..., Any]) -> Callable[..., Any]:
        def counted(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
            bucket = self.phase
            headers_bytes = 0

            def counting_start_response(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
                nonlocal headers_bytes
                headers_bytes = len(status) + sum(len(name) + len(value) + 4 for name, value in headers)
                return start_response(status, headers, *args)

            body = 0
            for chunk in app(environ, counting_start_response):
                body += len(chunk)
                yield chunk
            for quantity in ("api_requests", "cloudfront_requests", "cloudfront_function_invocations", "waf_requests"):
                self.add(bucket, quantity, 1)
            self.add(bucket, "cloudfront_bytes", headers_bytes + body)
            self.add(bucket, "log_bytes", ACCESS_LOG_BYTES + LOG_EVENT_OVERHEAD_BYTES)

        return counted

    # ------------------------------------------------------------ AWS calls

    def install_botocore_hooks(self) -> None:
        """Every botocore client created from now on (before the functions load) reports its calls here."""
        create_client = botocore.session.Session.create_client
        meter = self

        def hooked(session: Any, *args: Any, **kwargs: Any) -> Any:
            client = create_client(session, *args, **kwargs)
            client.meta.events.register("before-parameter-build", meter._before)
            client.meta.events.register("after-call.dynamodb", meter._after_dynamodb)
            return client

        botocore.session.Session.create_client = hooked

    @contextmanager
    def _unbilled(self) -> Iterator[None]:
        bucket, self._local.bucket = self._bucket(), None
        try:
            yield
        finally:
            self._local.bucket = bucket

    def _before(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        bucket = self._bucket()
        if bucket is None:
            return
        service, operation = model.service_model.endpoint_prefix, model.name
        if service == "dynamodb" and operation in CAPACITY_OPERATIONS:
            params["ReturnConsumedCapacity"] = "INDEXES"
            context["cost_bucket"] = bucket
            if operation == "TransactWriteItems":
                context["cost_actions"] = params["TransactItems"]
                context["cost_sizes"] = [self._stored_size(action) for action in params["TransactItems"]]
        elif service == "events" and operation == "PutEvents":
            self._events(bucket, params["Entries"])
        elif service == "sqs":
            self.add(bucket, "sqs_requests", 1)
        elif service == "s3":
            self.add(bucket, "s3_write_requests" if operation in S3_WRITES else "s3_read_requests", 1)
        elif service == "secretsmanager":
            self.add(bucket, "secrets_calls", 1)
        elif service == "kms":
            self.add(bucket, "kms_requests", 1)

    def _events(self, bucket: str, entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            size = sum(len(str(entry.get(name, "")).encode()) for name in ("Source", "DetailType", "Detail"))
            self.add(bucket, "eventbridge_events", eventbridge_entry_events(size))
            self.add(bucket, "eventbridge_archive_bytes", size)
            if entry.get("Source") == ANALYTICS_SOURCE:  # the record is the detail, a newline appended
                record = len(str(entry.get("Detail", "")).encode()) + 1
                self.add(bucket, "firehose_billed_bytes", firehose_billed_bytes(record))
                self.add(bucket, "firehose_partitioned_bytes", record)

    def _after_dynamodb(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        bucket = context.get("cost_bucket")
        consumed = parsed.get("ConsumedCapacity")
        if bucket is None or not consumed:
            return
        entries = consumed if isinstance(consumed, list) else [consumed]
        total = sum(float(entry.get("CapacityUnits", 0)) for entry in entries)
        if model.name in READ_OPERATIONS:
            self.add(bucket, "dynamodb_read_units", total)
            return
        indexes = sum(
            float(index.get("CapacityUnits", 0))
            for entry in entries
            for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
            for index in (entry.get(kind) or {}).values()
        )
        table = total - indexes
        if model.name == "TransactWriteItems":
            # An update is billed on the larger of the item before and after it.
            sizes = [
                max(size, self._stored_size(action)) if "Update" in action else size
                for action, size in zip(context["cost_actions"], context["cost_sizes"], strict=True)
            ]
            table = transaction_write_units(sizes)
            indexes = transaction_index_units(indexes)
        self.add(bucket, "dynamodb_write_units", table)
        self.add(bucket, "dynamodb_index_write_units", indexes)

    def _stored_size(self, action: dict[str, Any]) -> int:
        """The action's item size: a Put's from the request, the others' as stored now (read unbilled)."""
        ((kind, detail),) = action.items()
        if kind == "Put":
            return item_size(detail["Item"])
        with self._unbilled():
            answer = self.reader.get_item(TableName=detail["TableName"], Key=detail["Key"], ConsistentRead=True)
        return item_size(answer.get("Item") or {})


class _CountingStdout:
    """sys.stdout, each write also counted as log bytes of the invocation (or activity) writing it."""

    def __init__(self, meter: Meter, stream: TextIO) -> None:
        self._meter, self._stream = meter, stream

    def write(self, text: str) -> int:
        self._meter.counted_log(text)
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def stdout_counted(meter: Meter) -> Iterator[None]:
    """Entered before the functions load (Powertools' Logger keeps the stream it finds): their
    lines are counted, then dropped."""
    with open(os.devnull, "w") as discarded:
        sys.stdout = cast(TextIO, _CountingStdout(meter, discarded))
        try:
            yield
        finally:
            sys.stdout = sys.__stdout__
