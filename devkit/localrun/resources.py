"""Create the template's stateful resources on the emulators, from the template's properties.

Tables persist on DynamoDB Local and are created only when missing; moto starts empty
every time, so buckets, buses, queues, secrets and KMS keys are created at each start. A
secret's value is kept under the data directory, so tokens signed before a restart still
verify, and so are the buckets' objects (but the search index's: see `objects.py`) and each
KMS key's material, so what was sealed before a restart still opens.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import string
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from devkit import provision
from devkit.localrun.config import LocalTemplate
from devkit.localrun.emulators import Emulators

_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "ContentBasedDeduplication",
)


# The search index is made from the table: it is rebuilt at each start (the runtime's
# `ensure_search_index`) rather than kept, so an update missed while stopped cannot last.
SEARCH_BUCKET = "SearchIndexBucket"


def create_table(client: Any, name: str, logical_id: str, template: LocalTemplate) -> None:
    # The definition comes from the template being run (a fixture template in the tests).
    provision.create_table(client, name, logical_id, template.document)


def generated_secret(properties: dict[str, Any]) -> str:
    """A value shaped like the one Secrets Manager would generate for this secret."""
    if "SecretString" in properties:
        return str(properties["SecretString"])
    spec = properties.get("GenerateSecretString") or {}
    alphabet = string.ascii_letters + string.digits
    if not spec.get("ExcludePunctuation"):
        alphabet += "!#$%&()*+,-.:;<=>?@[]^_{|}~"
    alphabet = "".join(character for character in alphabet if character not in str(spec.get("ExcludeCharacters", "")))
    password = "".join(secrets.choice(alphabet) for _ in range(int(spec.get("PasswordLength", 32))))
    if spec.get("SecretStringTemplate") and spec.get("GenerateStringKey"):
        document = json.loads(spec["SecretStringTemplate"])
        document[spec["GenerateStringKey"]] = password
        return json.dumps(document)
    return password


class SecretStore:
    """Secret values kept in `<data_dir>/secrets.json` (mode 600) across restarts."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "secrets.json"

    def read(self) -> dict[str, str]:
        return dict(json.loads(self.path.read_text())) if self.path.exists() else {}

    def value(self, name: str, generate: Callable[[], str]) -> str:
        stored = self.read()
        if name not in stored:
            self.update(name, generate())
            return self.read()[name]
        return stored[name]

    def update(self, name: str, value: str) -> None:
        stored = self.read()
        if stored.get(name) == value:
            return
        stored[name] = value
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            json.dump(stored, file, indent=2)


def _queues(template: LocalTemplate, emulators: Emulators) -> None:
    sqs = emulators.client("sqs")
    queues = template.resources("AWS::SQS::Queue")
    for logical_id in queues:
        properties = template.resolve(template.properties(logical_id))
        attributes = {name: str(properties[name]).lower() for name in _QUEUE_ATTRIBUTES if name in properties}
        if properties.get("FifoQueue"):
            attributes["FifoQueue"] = "true"
        url = sqs.create_queue(QueueName=template.physical_name(logical_id), Attributes=attributes)["QueueUrl"]
        # The queue's ARN as moto knows it: redrive policies and rule targets (wired later) use it.
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        template.known_attributes[(logical_id, "Arn")] = str(arn)
    for logical_id in queues:  # dead-letter queues exist now
        redrive = template.resolve(template.properties(logical_id).get("RedrivePolicy"))
        if redrive:
            url = sqs.get_queue_url(QueueName=template.physical_name(logical_id))["QueueUrl"]
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": json.dumps(redrive)})


def _buckets(template: LocalTemplate, emulators: Emulators) -> None:
    s3 = emulators.client("s3")
    for logical_id in template.resources("AWS::S3::Bucket"):
        name = template.physical_name(logical_id)
        s3.create_bucket(Bucket=name)
        if logical_id != SEARCH_BUCKET:
            emulators.moto.objects.keep(name)  # a no-op where the table is in memory
        rules = (template.resolve(template.properties(logical_id).get("CorsConfiguration")) or {}).get("CorsRules")
        if rules:
            renamed = {"MaxAge": "MaxAgeSeconds", "ExposedHeaders": "ExposeHeaders"}
            cors = [{renamed.get(key, key): value for key, value in rule.items()} for rule in rules]
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": cors})


def provision_resources(template: LocalTemplate, emulators: Emulators, data_dir: Path) -> None:
    dynamodb = emulators.client("dynamodb")
    for logical_id in template.resources("AWS::DynamoDB::Table"):
        name = template.physical_name(logical_id)
        create_table(dynamodb, name, logical_id, template)
        stream = dynamodb.describe_table(TableName=name)["Table"].get("LatestStreamArn")
        if stream:
            template.known_attributes[(logical_id, "StreamArn")] = stream
    _buckets(template, emulators)
    events = emulators.client("events")
    for logical_id in template.resources("AWS::Events::EventBus"):
        events.create_event_bus(Name=template.physical_name(logical_id))
    store = SecretStore(data_dir)
    secretsmanager = emulators.client("secretsmanager")
    for logical_id in template.resources("AWS::SecretsManager::Secret"):
        name = template.physical_name(logical_id)
        properties = template.resolve(template.properties(logical_id))
        provision.create_secret(secretsmanager, name, store.value(name, partial(generated_secret, properties)))
    _queues(template, emulators)
    _kms_keys(template, emulators, store)


def _kms_keys(template: LocalTemplate, emulators: Emulators, store: SecretStore) -> None:
    """Each `AWS::KMS::Key` on moto, with its material kept in the data directory (moto would make a
    new one at each start), and each `AWS::KMS::Alias` pointing at it."""
    kms = emulators.client("kms")
    for logical_id in template.resources("AWS::KMS::Key"):
        description = str(template.properties(logical_id).get("Description", logical_id))
        created = kms.create_key(Description=description)["KeyMetadata"]

        def new_key(key_id: str = created["KeyId"]) -> str:
            return json.dumps({"key_id": key_id, "material": base64.b64encode(os.urandom(32)).decode()})

        kept = json.loads(store.value(f"kms-key/{logical_id}", new_key))
        arn = emulators.moto.restore_key(created["Arn"], kept["key_id"], base64.b64decode(kept["material"]))
        template.known_refs[logical_id] = kept["key_id"]
        template.known_attributes[(logical_id, "Arn")] = arn
        template.known_attributes[(logical_id, "KeyId")] = kept["key_id"]
    for logical_id in template.resources("AWS::KMS::Alias"):
        properties = template.resolve(template.properties(logical_id))
        kms.create_alias(AliasName=properties["AliasName"], TargetKeyId=properties["TargetKeyId"])
