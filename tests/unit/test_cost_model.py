"""The cost benchmark's pricing and counting rules (bench/cost_model.py, bench/cost_meter.py), without the runtime."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from bench.cost_meter import LOG_EVENT_OVERHEAD_BYTES, PLATFORM_LOG_BYTES, Meter
from bench.cost_model import (
    PRICES,
    Activity,
    billed_gb_seconds,
    by_line,
    cost_per_1000_orders,
    firehose_billed_bytes,
    item_size,
    report_of,
    table,
    transaction_write_units,
)

QUEUE = "arn:aws:sqs:us-east-1:123456789012:fed-by-a-rule"


def _model(service: str, operation: str) -> Any:
    return SimpleNamespace(name=operation, service_model=SimpleNamespace(endpoint_prefix=service))


def test_lambda_duration_is_billed_rounded_up_to_the_millisecond_at_the_memory_size() -> None:
    assert billed_gb_seconds(10.2, 512) == pytest.approx(0.011 * 0.5)
    assert billed_gb_seconds(1000.0, 1024) == pytest.approx(1.0)


def test_item_size_counts_names_and_values_by_dynamodbs_rules() -> None:
    item: dict[str, dict[str, Any]] = {
        "PK": {"S": "ORDER#1"},  # 2 + 7
        "total": {"N": "12345"},  # 5 + 3 digits' bytes + 1
        "paid": {"BOOL": True},  # 4 + 1
        "lines": {"L": [{"S": "ab"}]},  # 5 + 3 + 1 + 2
        "address": {"M": {"city": {"S": "Nice"}}},  # 7 + 3 + 4 + 1 + 4
    }

    assert item_size(item) == 9 + 9 + 5 + 11 + 19


def test_a_transaction_bills_two_units_per_started_kilobyte_of_each_item_when_items_are_small() -> None:
    assert transaction_write_units([100, 100]) == 4.0
    assert transaction_write_units([0, 1024, 1025]) == 2.0 + 2.0 + 4.0


def test_firehose_rounds_each_record_up_to_5_kb() -> None:
    assert firehose_billed_bytes(1) == 5120
    assert firehose_billed_bytes(5121) == 10240


def test_a_cache_hit_costs_only_cloudfront_and_waf_when_the_activity_is_cacheable() -> None:
    usage = {"cloudfront_requests": 1.0, "waf_requests": 1.0, "api_requests": 1.0, "lambda_requests": 1.0}
    view = Activity(
        "product view", runs=10, per_order=20, usage={key: 10 * n for key, n in usage.items()}, hit_ratio=0.8
    )

    cost = cost_per_1000_orders(view)

    assert cost["cloudfront_requests"] == pytest.approx(20_000 * PRICES["cloudfront_requests"].usd)
    assert cost["waf_requests"] == pytest.approx(20_000 * PRICES["waf_requests"].usd)
    assert cost["api_requests"] == pytest.approx(20_000 * 0.2 * PRICES["api_requests"].usd)
    assert cost_per_1000_orders(view, 0.0)["api_requests"] == pytest.approx(20_000 * PRICES["api_requests"].usd)


def test_lines_sum_the_quantities_they_price_largest_first() -> None:
    lines = by_line([{"s3_read_requests": 0.1, "s3_write_requests": 0.2}, {"sqs_requests": 0.05}])

    assert lines == {"S3 requests": pytest.approx(0.3), "SQS": 0.05}


def test_the_converting_path_is_the_order_activity_and_fully_loaded_every_activity() -> None:
    order = Activity("order", runs=2, per_order=1, usage={"api_requests": 30.0})
    search = Activity("search", runs=3, per_order=3, usage={"api_requests": 3.0, "waf_requests": 3.0}, hit_ratio=0.5)

    report = report_of([order, search], {"order CartFunction": {"invocations": 2, "gb_seconds": 0.1}})

    totals = report["per_1000_orders"]
    assert totals["converting_path_usd"] == pytest.approx(round(15_000 * 1e-6, 4))
    assert totals["fully_loaded_usd"] == pytest.approx(round(15_000e-6 + 1_500e-6 + 3_000 * 0.6e-6, 4))
    assert totals["fully_loaded_without_cdn_and_waf_usd"] == pytest.approx(round(15_000e-6 + 3_000e-6, 4))
    assert report["lambda_by_function_fully_loaded"]["CartFunction"]["invocations"] == 1000
    rendered = table(
        {**report, "python": "3", "machine": "m", "generated_at": "t", "duration_s": 1}
        | {"prices": {"as_of": "then"}, "fixed_monthly_usd": {"WAF web ACL": 5.0}}
    )
    assert "| **total** | **$0.0150** |" in rendered


def test_an_invocation_costs_a_request_its_duration_and_lambdas_platform_log_lines() -> None:
    meter = Meter(set())
    meter.phase = "order"

    meter.wrap_handler("CartFunction", 1024, lambda event, context: None)({}, None)

    usage = meter.usage["order"]
    assert usage["lambda_requests"] == 1
    assert usage["lambda_gb_seconds"] > 0
    assert usage["log_bytes"] == PLATFORM_LOG_BYTES + 2 * LOG_EVENT_OVERHEAD_BYTES
    assert meter.functions["order CartFunction"]["invocations"] == 1


def test_an_sqs_batch_costs_a_receive_a_delete_and_a_send_per_message_a_rule_delivered() -> None:
    meter = Meter({QUEUE})
    meter.phase = "order"
    records = [
        {"eventSource": "aws:sqs", "eventSourceARN": QUEUE},
        {"eventSource": "aws:sqs", "eventSourceARN": QUEUE},
        {"eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:sent-by-a-function"},
    ]

    meter.wrap_handler("SearchIndexerFunction", 512, lambda event, context: None)({"Records": records}, None)

    assert meter.usage["order"]["sqs_requests"] == 2 + 2


def test_a_timer_run_is_metered_apart_from_the_activity_when_the_event_is_scheduled() -> None:
    meter = Meter(set())
    meter.phase = "order"

    meter.wrap_handler("OrderExpiryFunction", 256, lambda event, context: None)(
        {"detail-type": "Scheduled Event"}, None
    )

    assert "order" not in meter.usage
    assert meter.usage["scheduled"]["lambda_requests"] == 1


def test_calls_are_billed_only_inside_an_invocation() -> None:
    meter = Meter(set())
    meter.phase = "order"
    entries = [{"Source": "storefront", "DetailType": "order.paid", "Detail": "{}"}]

    meter._before({"Entries": entries}, _model("events", "PutEvents"), {})
    assert "order" not in meter.usage

    def handler(event: Any, context: Any) -> None:
        meter._before({"Entries": entries}, _model("events", "PutEvents"), {})
        meter._before({}, _model("s3", "HeadObject"), {})

    meter.wrap_handler("RelayFunction", 256, handler)({}, None)
    usage = meter.usage["order"]
    assert (usage["eventbridge_events"], usage["firehose_billed_bytes"], usage["s3_read_requests"]) == (1, 5120, 1)


def test_dynamodb_units_come_from_the_reported_capacity_when_not_a_transaction() -> None:
    meter = Meter(set())
    meter.phase = "order"

    def handler(event: Any, context: Any) -> None:
        params: dict[str, Any] = {}
        context_: dict[str, Any] = {}
        meter._before(params, _model("dynamodb", "Query"), context_)
        assert params["ReturnConsumedCapacity"] == "INDEXES"
        parsed = {"ConsumedCapacity": {"CapacityUnits": 1.5}}
        meter._after_dynamodb(parsed, _model("dynamodb", "Query"), context_)

    meter.wrap_handler("CatalogFunction", 512, handler)({}, None)

    assert meter.usage["order"]["dynamodb_read_units"] == 1.5


def test_index_writes_are_counted_apart_from_the_tables_when_dynamodb_reports_them() -> None:
    meter = Meter(set())
    meter.phase = "order"

    def handler(event: Any, context: Any) -> None:
        context_: dict[str, Any] = {}
        meter._before({}, _model("dynamodb", "PutItem"), context_)
        parsed = {
            "ConsumedCapacity": {"CapacityUnits": 4.0, "GlobalSecondaryIndexes": {"GSI1": {"CapacityUnits": 2.0}}}
        }
        meter._after_dynamodb(parsed, _model("dynamodb", "PutItem"), context_)

    meter.wrap_handler("CatalogFunction", 512, handler)({}, None)

    usage = meter.usage["order"]
    assert (usage["dynamodb_write_units"], usage["dynamodb_index_write_units"]) == (2.0, 2.0)


def test_a_transaction_bills_its_table_writes_twice_and_its_index_writes_once() -> None:
    meter = Meter(set())
    model = SimpleNamespace(name="TransactWriteItems")
    item: dict[str, dict[str, Any]] = {"PK": {"S": "ORDER#1"}, "body": {"S": "x" * 900}}
    put = {"Put": {"TableName": "t", "Item": item}}
    context = {"cost_bucket": "order", "cost_actions": [put], "cost_sizes": [item_size(item)]}
    # What DynamoDB Local answers for it: every arm doubled.
    consumed = {
        "CapacityUnits": 8.0,
        "Table": {"CapacityUnits": 2.0},
        "GlobalSecondaryIndexes": {"GSI1": {"CapacityUnits": 2.0}, "GSI2": {"CapacityUnits": 4.0}},
    }

    meter._after_dynamodb({"ConsumedCapacity": [consumed]}, model, context)

    assert meter.usage["order"]["dynamodb_write_units"] == 2.0
    assert meter.usage["order"]["dynamodb_index_write_units"] == 3.0
