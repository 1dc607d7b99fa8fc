"""The search wiring in template.yaml: what the indexer reads, how it is fed, and what each side may touch."""

from __future__ import annotations

from typing import Any

from devkit.template import load_template
from storefront.data import search_index
from storefront.search import changes
from storefront.search.schema import SCHEMA_VERSION


def _resources() -> dict[str, Any]:
    return dict(load_template()["Resources"])


def _actions(function: str) -> set[str]:
    return _actions_of(_resources()[function])


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_the_rule_routes_exactly_the_events_the_indexer_understands() -> None:
    rule = _resources()["SearchIndexRule"]["Properties"]
    assert rule["EventBusName"] == {"Ref": "EventBus"}
    assert rule["EventPattern"]["source"] == ["storefront"]
    understood = {*changes.PRODUCT_EVENTS, *changes.PRODUCT_ID_EVENTS, *changes.CATEGORY_EVENTS}
    assert set(rule["EventPattern"]["detail-type"]) == understood
    [target] = rule["Targets"]
    assert (target["Id"], target["Arn"]) == ("search-index-queue", {"Fn::GetAtt": ["SearchIndexQueue", "Arn"]})
    policy = _resources()["SearchIndexQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert policy["Principal"] == {"Service": "events.amazonaws.com"}
    assert policy["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["SearchIndexRule", "Arn"]}}}


def test_the_indexer_is_fed_in_batches_with_a_dead_letter_queue() -> None:
    resources = _resources()
    indexer = resources["SearchIndexerFunction"]["Properties"]
    source = indexer["Events"]["Changes"]
    assert source["Type"] == "SQS"
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert source["Properties"]["MaximumBatchingWindowInSeconds"] >= 1
    queue = resources["SearchIndexQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * indexer["Timeout"]  # AWS's advice for Lambda consumers
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["SearchIndexDeadLetterQueue", "Arn"]}
    assert queue["SqsManagedSseEnabled"] is True
    alarm = resources["SearchIndexDeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["SearchIndexDeadLetterQueue", "QueueName"]}}
    ]
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)


def test_search_is_public_and_reads_no_table() -> None:
    search = _resources()["SearchFunction"]["Properties"]
    route = search["Events"]["SearchProducts"]["Properties"]
    assert (route["Path"], route["Method"], route["Auth"]) == ("/v1/products", "GET", {"Authorizer": "NONE"})
    actions = _actions("SearchFunction")
    assert not any(action.startswith("dynamodb:") for action in actions)
    assert actions == {"s3:GetObject", "s3:ListBucket", "sqs:SendMessage"}


def test_the_index_bucket_is_private_and_only_the_indexer_writes_it() -> None:
    bucket = _resources()["SearchIndexBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    writers = [
        name
        for name, resource in _resources().items()
        if resource["Type"] == "AWS::Serverless::Function"
        and "s3:PutObject" in _actions_of(resource)
        and "SearchIndexBucket" in str(resource["Properties"].get("Policies"))
    ]
    assert writers == ["SearchIndexerFunction"]
    assert "dynamodb:Scan" in _actions("SearchIndexerFunction")


def _actions_of(resource: dict[str, Any]) -> set[str]:
    policies = resource["Properties"].get("Policies") or []
    return {
        action
        for policy in policies
        if isinstance(policy, dict) and "Statement" in policy
        for statement in policy["Statement"]
        for action in _as_list(statement["Action"])
    }


def test_a_new_stack_gets_its_first_index_from_the_indexer_when_created() -> None:
    resources = _resources()
    resource = resources["SearchIndex"]
    assert resource["Type"] == "Custom::SearchIndex"
    # The indexer itself builds it: same lease, same code path as a search function's request.
    assert resource["Properties"]["ServiceToken"] == {"Fn::GetAtt": ["SearchIndexerFunction", "Arn"]}
    # A replaced bucket is a changed property: CloudFormation sends an Update, which ensures its index too.
    assert resource["Properties"]["Bucket"] == {"Ref": "SearchIndexBucket"}
    # What ensuring needs: the writer lease (table) and the index objects (bucket).
    assert {"dynamodb:PutItem", "dynamodb:Scan", "s3:GetObject", "s3:PutObject"} <= _actions("SearchIndexerFunction")
    assert "DeletionPolicy" not in resource  # a Delete answers at once and keeps the index with its bucket


def test_a_deploy_that_changes_the_index_format_rebuilds_the_index_while_the_stack_updates() -> None:
    # A changed property is an Update, and ensuring an index of another version rebuilds it.
    assert _resources()["SearchIndex"]["Properties"]["SchemaVersion"] == str(SCHEMA_VERSION)


def test_superseded_index_objects_expire_and_only_the_indexer_tags_them() -> None:
    rules = {
        rule["Id"]: rule for rule in _resources()["SearchIndexBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    }
    rule = rules["expire-superseded-index-objects"]
    assert rule["TagFilters"] == [search_index.SUPERSEDED]  # the tag `search_index.retire` puts
    assert rule["Prefix"] == search_index.PREFIX
    assert rule["ExpirationInDays"] >= 1  # a reader holding an older manifest finishes long before
    assert "s3:PutObjectTagging" in _actions("SearchIndexerFunction")
    assert "s3:PutObjectTagging" not in _actions("SearchFunction")
