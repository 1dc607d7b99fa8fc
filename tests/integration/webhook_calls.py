"""Partner webhook fixtures: the KMS key that seals signing secrets, the sender's queues, and a
driver that runs the sender on its queue as Lambda's SQS event source would."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from devkit.functions import load_handler_module
from devkit.localrun.pollers import sqs_record
from storefront.webhooks.destinations import Destination, checked_destination
from tests.support import FakeContext

QUEUE = "storefront-test-webhooks"
DEAD_LETTERS = "storefront-test-webhooks-dlq"


@pytest.fixture
def webhook_key(aws: str) -> None:
    kms = boto3.client("kms")
    key_id = kms.create_key(Description="webhook secrets")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/storefront-webhooks", TargetKeyId=key_id)


def public(url: str) -> Destination:
    """The guard as deployed (not local mode), with a resolver that answers a public address for
    every name (no DNS in tests; a literal address is still checked as itself)."""

    def resolve(host: str, port: int) -> list[str]:
        return [host] if host.replace(".", "").isdigit() or ":" in host else ["93.184.216.34"]

    return checked_destination(url, local_mode=False, resolve=resolve)


@dataclass
class SenderQueues:
    sqs: Any
    url: str
    dead_letters_url: str
    module: Any

    def publish(self, event_type: str, data: dict[str, Any], event_id: str, occurred_at: str) -> None:
        """A domain event as the bus's rule puts it on the queue."""
        detail = {"id": event_id, "type": event_type, "version": 1, "occurred_at": occurred_at, "data": data}
        envelope = {"version": "0", "id": "eb-" + event_id, "detail-type": event_type, "source": "storefront"}
        self.sqs.send_message(QueueUrl=self.url, MessageBody=json.dumps({**envelope, "detail": detail}))

    def run(self, max_batches: int = 100) -> list[dict[str, Any]]:
        """Runs the sender until its queue is empty; answers each batch's result."""
        results: list[dict[str, Any]] = []
        for _ in range(max_batches):
            messages = self.sqs.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=0, AttributeNames=["All"]
            ).get("Messages", [])
            if not messages:
                return results
            records = [sqs_record(message, f"arn:aws:sqs:us-east-1:123456789012:{QUEUE}") for message in messages]
            result = self.module.lambda_handler({"Records": records}, FakeContext())
            failed = {item["itemIdentifier"] for item in result["batchItemFailures"]}
            for message in messages:
                if message["MessageId"] not in failed:
                    self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
            results.append(result)
        raise AssertionError(f"the sender's queue did not empty in {max_batches} batches")

    def parked(self) -> list[dict[str, Any]]:
        messages = self.sqs.receive_message(QueueUrl=self.dead_letters_url, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(message["Body"]) for message in messages]


@pytest.fixture
def sender(aws: str, webhook_key: None) -> SenderQueues:
    sqs = boto3.client("sqs")
    dead_letters_url = sqs.create_queue(QueueName=DEAD_LETTERS)["QueueUrl"]
    url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    return SenderQueues(sqs, url, dead_letters_url, load_handler_module("functions/webhook_sender"))
