"""The emulators start, point every client at themselves, keep local data, and fall back to moto."""

from __future__ import annotations

import copy
import json
import os
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.config import Config

from devkit import localstate, provision
from devkit.localrun import emulators as emulators_module
from devkit.localrun.config import LocalTemplate
from devkit.localrun.emulators import (
    LAUNCHER,
    DynamoDBLocal,
    EmulatorError,
    Emulators,
    MotoServer,
    find_jar,
    find_java,
    start_emulators,
)
from devkit.localrun.resources import provision_resources
from devkit.localrun.runtime import Options, Runtime, RuntimeInUse
from devkit.localrun.testing import running
from devkit.template import TEMPLATE_PATH, load_template

needs_java = pytest.mark.skipif(
    find_java() is None or find_jar() is None, reason="needs Java 17+ and DynamoDB Local (npm ci)"
)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "templates"
PROBE = {"PK": {"S": "HEALTH"}, "SK": {"S": "PROBE"}, "note": {"S": "kept"}}


def test_endpoint_variables_send_every_client_to_its_emulator_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    moto, dynamodb = (
        SimpleNamespace(endpoint="http://127.0.0.1:1111"),
        SimpleNamespace(endpoint="http://127.0.0.1:2222"),
    )
    environment = Emulators(moto=moto, dynamodb=dynamodb).environment()  # type: ignore[arg-type]
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    def endpoint(service: str) -> Any:
        return boto3.session.Session().client(service).meta.endpoint_url

    assert {service: endpoint(service) for service in ("dynamodb", "dynamodbstreams")} == {
        "dynamodb": dynamodb.endpoint,
        "dynamodbstreams": dynamodb.endpoint,
    }
    for service in ("s3", "events", "sqs", "secretsmanager", "sts", "sns"):  # the last two: never real AWS
        assert endpoint(service) == moto.endpoint, service


def test_table_falls_back_to_moto_and_says_so_when_java_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(emulators_module, "find_java", lambda: None)

    emulators = start_emulators(tmp_path)
    try:
        template = LocalTemplate(TEMPLATE_PATH, queue_endpoint=emulators.moto.endpoint)
        provision_resources(template, emulators, tmp_path)
        table = emulators.client("dynamodb").describe_table(TableName="storefront-table")["Table"]
        description = "\n".join(emulators.describe())
    finally:
        emulators.stop()

    assert emulators.dynamodb is None
    assert emulators.dynamodb_endpoint == emulators.moto.endpoint
    assert "Java was not found" in description
    assert "in memory" in description
    assert {index["IndexName"] for index in table["GlobalSecondaryIndexes"]} == {"GSI1", "GSI2", "GSI3"}
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_table_falls_back_to_moto_and_says_why_when_java_cannot_run_dynamodb_local(tmp_path: Path) -> None:
    broken_java = tmp_path / "java"
    broken_java.write_text("#!/bin/sh\necho 'UnsupportedClassVersionError: compiled by a newer Java'\nexit 1\n")
    broken_java.chmod(0o755)

    emulators = start_emulators(tmp_path / "data", java=str(broken_java))
    emulators.stop()

    assert emulators.dynamodb is None
    assert "UnsupportedClassVersionError" in "\n".join(emulators.describe())


def _run_once(data_dir: Path, write: bool) -> tuple[dict[str, Any] | None, str]:
    emulators = start_emulators(data_dir)
    try:
        assert emulators.dynamodb is not None, emulators.notes
        template = LocalTemplate(TEMPLATE_PATH, queue_endpoint=emulators.moto.endpoint)
        provision_resources(template, emulators, data_dir)
        dynamodb = emulators.client("dynamodb")
        if write:
            dynamodb.put_item(TableName="storefront-table", Item=PROBE)
        item = dynamodb.get_item(TableName="storefront-table", Key={"PK": PROBE["PK"], "SK": PROBE["SK"]}).get("Item")
        secret = emulators.client("secretsmanager").get_secret_value(SecretId="storefront-jwt-signing-secret")
        return item, str(secret["SecretString"])
    finally:
        emulators.stop()


@needs_java
def test_table_items_and_signing_secret_survive_a_restart_when_the_data_dir_is_kept(tmp_path: Path) -> None:
    before = _run_once(tmp_path, write=True)
    after = _run_once(tmp_path, write=False)

    assert after == before
    assert after[0] == PROBE
    assert (tmp_path / "dynamodb").is_dir()
    assert oct((tmp_path / "secrets.json").stat().st_mode & 0o777) == "0o600"


@needs_java
def test_a_table_kept_from_an_earlier_run_gets_the_indexes_added_since_with_its_items_in_them(tmp_path: Path) -> None:
    full = load_template()
    earlier = copy.deepcopy(full)
    properties = earlier["Resources"]["Table"]["Properties"]
    properties["GlobalSecondaryIndexes"] = [i for i in properties["GlobalSecondaryIndexes"] if i["IndexName"] != "GSI3"]
    properties["AttributeDefinitions"] = [
        a for a in properties["AttributeDefinitions"] if "GSI3" not in a["AttributeName"]
    ]
    order = {**PROBE, "GSI3PK": {"S": "ORDERS#ALL"}, "GSI3SK": {"S": "ORDER#01J"}}
    emulators = start_emulators(tmp_path)
    try:
        dynamodb = emulators.client("dynamodb")
        provision.create_table(dynamodb, "kept", template=earlier)
        dynamodb.put_item(TableName="kept", Item=order)

        provision.create_table(dynamodb, "kept", template=full)

        indexes = dynamodb.describe_table(TableName="kept")["Table"]["GlobalSecondaryIndexes"]
        found = dynamodb.query(
            TableName="kept",
            IndexName="GSI3",
            KeyConditionExpression="GSI3PK = :all",
            ExpressionAttributeValues={":all": {"S": "ORDERS#ALL"}},
        )["Items"]
    finally:
        emulators.stop()

    assert {index["IndexName"] for index in indexes} == {"GSI1", "GSI2", "GSI3"}
    assert [item["SK"] for item in found] == [PROBE["SK"]]


def _sealed_then_opened(data_dir: Path, sealed: bytes | None) -> tuple[bytes, str]:
    """One run of the KMS fixture: seal b"secret" under the alias (the first run), or open `sealed`."""
    emulators = start_emulators(data_dir)
    try:
        template = LocalTemplate(FIXTURES / "kms.yaml", queue_endpoint=emulators.moto.endpoint)
        provision_resources(template, emulators, data_dir)
        kms = emulators.client("kms")
        alias = f"alias/{template.stack_name}-sealing"
        context = {"purpose": "test"}
        if sealed is None:
            sealed = bytes(kms.encrypt(KeyId=alias, Plaintext=b"secret", EncryptionContext=context)["CiphertextBlob"])
        opened = kms.decrypt(CiphertextBlob=sealed, EncryptionContext=context)["Plaintext"].decode()
        return sealed, opened
    finally:
        emulators.stop()


def test_a_kms_key_keeps_its_material_so_what_was_sealed_before_a_restart_still_opens(tmp_path: Path) -> None:
    sealed, first = _sealed_then_opened(tmp_path, None)
    _, after_restart = _sealed_then_opened(tmp_path, sealed)

    assert (first, after_restart) == ("secret", "secret")
    assert "kms-key/SealingKey" in json.loads((tmp_path / "secrets.json").read_text())


def test_tools_reach_the_runtime_and_a_rotated_key_survives_a_restart_when_state_is_written(tmp_path: Path) -> None:
    template = FIXTURES / "protected-api.yaml"
    options = Options(
        port=0, data_dir=tmp_path, template=template, stack_name="fixture", use_java=False, serve_http=False
    )
    with running(options):
        state = localstate.read_state(tmp_path)
        client = localstate.local_client("secretsmanager", tmp_path)
        secret_id = state["secrets"]["SigningSecret"]
        rotated = '{"active_kid": "k2", "k2": "a-rotated-key-of-enough-length-0123456789"}'
        client.put_secret_value(SecretId=secret_id, SecretString=rotated)
    assert not localstate.state_file(tmp_path).exists()

    with running(options) as again:
        kept = again.aws_client("secretsmanager").get_secret_value(SecretId="fixture-signing-secret")

    assert secret_id == "fixture-signing-secret"
    assert kept["SecretString"] == rotated


def test_second_runtime_is_refused_when_the_data_dir_is_in_use(tmp_path: Path) -> None:
    localstate.write_state({"pid": os.getpid()}, tmp_path)  # a live process owns it

    with pytest.raises(RuntimeInUse, match="another local runtime"):
        Runtime(Options(port=0, data_dir=tmp_path, use_java=False)).start()


def test_dynamodb_local_is_refused_rather_than_started_on_every_interface_when_the_launcher_fails(
    tmp_path: Path,
) -> None:
    # A "java" that dies at once, as the loopback launcher would if it could not bind.
    server = DynamoDBLocal("/bin/false", tmp_path / "DynamoDBLocal.jar", tmp_path)
    server.start()
    try:
        with pytest.raises(EmulatorError, match="never started on every interface"):
            server.wait_ready()
        assert server.process is not None
        assert isinstance(server.process.args, list)
        assert "-jar" not in server.process.args  # no second attempt with the plain jar
        assert str(LAUNCHER) in server.process.args
    finally:
        server.stop()


def test_eventbridge_answers_every_call_when_a_rule_changes_while_events_are_put() -> None:
    """moto's PutEvents walks the bus's rules: a rule put or deleted meanwhile must not fail it."""
    server = MotoServer()
    try:
        clients = {
            service: boto3.client(
                service,
                endpoint_url=server.endpoint,
                region_name="us-east-1",
                aws_access_key_id="test",
                aws_secret_access_key="test",
                config=Config(retries={"max_attempts": 0}),
            )
            for service in ("events", "sqs")
        }
        events, sqs = clients["events"], clients["sqs"]
        events.create_event_bus(Name="bus")
        queue = sqs.create_queue(QueueName="deliveries")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        for number in range(10):  # delivering to targets keeps PutEvents inside its walk of the rules
            events.put_rule(Name=f"kept-{number}", EventBusName="bus", EventPattern='{"source": ["shop"]}')
            events.put_targets(Rule=f"kept-{number}", EventBusName="bus", Targets=[{"Id": "q", "Arn": queue_arn}])
        failures: list[Exception] = []
        done = threading.Event()

        def change_rules() -> None:
            number = 0
            while not done.is_set():
                try:
                    events.put_rule(Name=f"passing-{number}", EventBusName="bus", EventPattern='{"source": ["x"]}')
                    events.delete_rule(Name=f"passing-{number}", EventBusName="bus")
                except Exception as error:
                    failures.append(error)
                number += 1

        changers = [threading.Thread(target=change_rules) for _ in range(2)]
        for changer in changers:
            changer.start()
        try:
            for _ in range(100):
                try:
                    events.put_events(
                        Entries=[{"Source": "shop", "DetailType": "t", "Detail": "{}", "EventBusName": "bus"}]
                    )
                except Exception as error:
                    failures.append(error)
        finally:
            done.set()
            for changer in changers:
                changer.join()
        assert failures == []
    finally:
        server.stop()
