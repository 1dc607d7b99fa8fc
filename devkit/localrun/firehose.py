"""Kinesis Data Firehose's S3 delivery, for the rules that target a delivery stream of the template.

moto's bus cannot put records into a delivery stream, so such a rule gets a queue of its own
(moto sends each matching event there, the target's InputPath or transformer applied) and a
writer that does what Firehose's extended S3 destination does: buffer the records, partition
them by the MetadataExtraction query's keys (the `{name: .path}` form of JQ) and the arrival
time, append the delimiter, compress (GZIP), and write one object per partition under the
Prefix, named as Firehose names them. Locally the buffer is flushed every few seconds (AWS:
BufferingHints, minutes), and at shutdown.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from devkit.localrun.config import TemplateError
from devkit.localrun.pollers import Worker

log = logging.getLogger("localrun")

LOCAL_BUFFER_S = 5.0
_QUERY_KEY = re.compile(r"(\w+)\s*:\s*\.([\w.]+)")
_EXPRESSION = re.compile(r"!\{([\w-]+):([^}]*)\}")
# Java's SimpleDateFormat letters that Firehose prefixes use, as strftime's.
_DATE_LETTERS = (("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S"))


@dataclass(frozen=True)
class S3Destination:
    """The parts of an ExtendedS3DestinationConfiguration that decide what is written where."""

    stream: str
    bucket: str
    prefix: str
    keys: dict[str, tuple[str, ...]]  # partition key → path into the record
    delimiter: str
    gzip: bool

    @classmethod
    def of(cls, stream: str, configuration: dict[str, Any]) -> S3Destination:
        processors = {
            processor["Type"]: {item["ParameterName"]: item["ParameterValue"] for item in processor["Parameters"]}
            for processor in (configuration.get("ProcessingConfiguration") or {}).get("Processors") or []
        }
        query = processors.get("MetadataExtraction", {}).get("MetadataExtractionQuery", "")
        keys = {name: tuple(path.split(".")) for name, path in _QUERY_KEY.findall(query)}
        if query and not keys:
            raise TemplateError(f"{stream}: only MetadataExtraction queries like {{name: .path}} run locally")
        delimiter = processors.get("AppendDelimiterToRecord", {}).get("Delimiter")
        return cls(
            stream=stream,
            bucket=str(configuration["BucketARN"]).rsplit(":", 1)[-1],
            prefix=str(configuration.get("Prefix") or "!{timestamp:yyyy/MM/dd/HH/}"),
            keys=keys,
            delimiter=delimiter.encode().decode("unicode_escape") if delimiter is not None else "",
            gzip=configuration.get("CompressionFormat") == "GZIP",
        )

    def prefix_of(self, record: dict[str, Any], arrived: datetime) -> str:
        def expand(found: re.Match[str]) -> str:
            kind, argument = found.group(1), found.group(2)
            if kind == "partitionKeyFromQuery":
                value: Any = record
                for step in self.keys[argument]:
                    value = value.get(step) if isinstance(value, dict) else None
                return str(value)
            if kind == "timestamp":
                pattern = argument
                for letters, directive in _DATE_LETTERS:
                    pattern = pattern.replace(letters, directive)
                return arrived.strftime(pattern)
            if kind == "firehose" and argument == "random-string":
                return uuid.uuid4().hex[:11]
            raise TemplateError(f"{self.stream}: prefix expression !{{{kind}:{argument}}} is not run locally")

        return _EXPRESSION.sub(expand, self.prefix)

    def object_key(self, prefix: str, arrived: datetime) -> str:
        name = f"{self.stream}-1-{arrived.strftime('%Y-%m-%d-%H-%M-%S')}-{uuid.uuid4()}"
        return prefix + name + (".gz" if self.gzip else "")


class FirehoseWriter(Worker):
    """Reads a rule's queue and writes the records to the destination's bucket, buffered."""

    def __init__(
        self, stop: threading.Event, sqs: Any, s3: Any, queue_url: str, destination: S3Destination, rule: str
    ) -> None:
        super().__init__(f"firehose-{destination.stream}", stop)
        self.sqs, self.s3, self.queue_url, self.destination = sqs, s3, queue_url, destination
        self.description = f"rule {rule} → delivery stream {destination.stream} → s3://{destination.bucket}"
        self.buffer: list[tuple[dict[str, Any], str]] = []  # (record, receipt handle)
        self.first_buffered = 0.0

    def run(self) -> None:
        super().run()
        self.flush()  # what the buffer holds at shutdown is written, as Firehose would in time

    def poll(self) -> None:
        messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        )
        for message in messages:
            try:
                record = json.loads(message["Body"])
            except ValueError:
                log.warning("%s: a record that is not JSON is dropped", self.destination.stream)
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
                continue
            if not self.buffer:
                self.first_buffered = time.monotonic()
            self.buffer.append((record, message["ReceiptHandle"]))
        if self.buffer and time.monotonic() - self.first_buffered >= LOCAL_BUFFER_S:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        arrived = datetime.now(UTC)
        batches: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record, _ in self.buffer:
            batches[self.destination.prefix_of(record, arrived)].append(record)
        destination = self.destination
        for prefix, records in batches.items():
            lines = "".join(json.dumps(record, separators=(",", ":")) + destination.delimiter for record in records)
            body = gzip.compress(lines.encode()) if destination.gzip else lines.encode()
            self.s3.put_object(Bucket=destination.bucket, Key=destination.object_key(prefix, arrived), Body=body)
        for _, receipt in self.buffer:
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=receipt)
        log.info("%s: %d records written to s3://%s", destination.stream, len(self.buffer), destination.bucket)
        self.buffer = []
