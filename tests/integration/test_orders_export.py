"""Staff's CSV export of orders (`make admin ARGS="orders export ..."`), run in-process against the table.

Orders are placed as checkout completion writes them and moved by the orders function;
the export reads them back through GSI2 one status at a time, never with a Scan.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from devkit import admin, order_export
from storefront.domain.orders.entities import Order
from tests.integration.inventory_calls import dynamodb_requests, put_stock
from tests.integration.orders_calls import ANN, BOB, MANAGER, call, move, place_order

pytestmark = pytest.mark.usefixtures("aws")

DAY = 86_400
SINCE = 1_800_000_000  # 2027-01-15T08:00:00Z
SINCE_TEXT = "2027-01-15T08:00:00Z"


def export(tmp_path: Path, *arguments: str) -> list[dict[str, str]]:
    output = tmp_path / "orders.csv"
    assert admin.execute(admin.parser().parse_args(["orders", "export", "--output", str(output), *arguments])) == ""
    with output.open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def placed(user: tuple[str, str], at: int, *moves: str) -> Order:
    order = place_order(user[0], {"TEE-M": 2, "CAP": 1}, now=at)
    for to in moves:
        parcel = {"carrier": "ups", "tracking_number": "1Z999AA10123456784"} if to == "shipped" else {}
        response = move(order.id, to, MANAGER, **parcel)
        assert response["statusCode"] == 200, response
    return order


@pytest.fixture(autouse=True)
def stock(aws: str) -> None:
    put_stock("TEE-M", 500)
    put_stock("CAP", 500)


def test_the_export_writes_every_status_since_the_date_newest_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old = placed(ANN, SINCE - 60, "paid")
    pending = placed(ANN, SINCE + 10)
    shipped = placed(BOB, SINCE + 20, "paid", "processing", "shipped")
    cancelled = placed(BOB, SINCE + 30)
    assert call("POST", f"/v1/orders/{cancelled.id}/cancel", BOB)["statusCode"] == 200

    with dynamodb_requests(monkeypatch) as requests:
        rows = export(tmp_path, "--since", SINCE_TEXT)

    assert [row["id"] for row in rows] == [cancelled.id, shipped.id, pending.id]
    assert old.id not in {row["id"] for row in rows}
    assert list(rows[0]) == list(order_export.COLUMNS)
    assert rows[1] == {
        "id": shipped.id,
        "number": shipped.number,
        "user_id": BOB[0],
        "status": "shipped",
        "created_at": "2027-01-15T08:00:20Z",
        "updated_at": rows[1]["updated_at"],
        "currency": "USD",
        "subtotal": "3000",
        "shipping_total": "500",
        "total": "3500",
        "refunded_total": "0",
        "payment_provider": "manual",
        "payment_status": "paid",
        "item_count": "3",
        "shipping_country": "US",
        "carrier": "UPS",
        "tracking_number": "1Z999AA10123456784",
    }
    assert (rows[0]["status"], rows[2]["status"]) == ("cancelled", "pending_payment")
    assert rows[2]["payment_status"] == "pending"
    assert rows[2]["carrier"] == "Standard"  # not shipped yet: the chosen method's carrier
    assert requests.count("Query") == len(order_export.STATUSES)  # one per status, each one page
    assert set(requests) == {"Query"}
    assert "orders exported: 3 (read: 4) to " in capsys.readouterr().err


def test_the_status_option_keeps_only_those_statuses_and_the_date_alone_means_midnight_utc(tmp_path: Path) -> None:
    paid = placed(ANN, SINCE + 10, "paid")
    processing = placed(ANN, SINCE + 20, "paid", "processing")
    placed(ANN, SINCE + 30)

    rows = export(tmp_path, "--since", "2027-01-15", "--status", "paid", "--status", "processing", "--status", "paid")

    assert [(row["id"], row["status"]) for row in rows] == [(processing.id, "processing"), (paid.id, "paid")]
    assert export(tmp_path, "--since", "2027-01-16", "--status", "paid") == []


def test_the_export_pages_through_the_index_and_stops_once_past_the_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in range(6, 0, -1):  # older than --since by more than a checkout's lifetime
        placed(ANN, SINCE - day * 2 * DAY, "paid")
    recent = [placed(BOB, SINCE + second, "paid") for second in range(1, 6)]
    monkeypatch.setattr(order_export, "PAGE_SIZE", 2)

    with dynamodb_requests(monkeypatch) as requests:
        rows = export(tmp_path, "--since", SINCE_TEXT, "--status", "paid")

    assert [row["id"] for row in rows] == [order.id for order in reversed(recent)]
    # pages: 2 + 2 recent, then 1 recent and 1 old: the old one ends the reading (not 6 pages).
    assert requests == ["Query", "Query", "Query"]


def test_the_export_writes_to_standard_output_with_the_progress_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    order = placed(ANN, SINCE + 1, "paid")

    assert admin.execute(admin.parser().parse_args(["orders", "export", "--since", SINCE_TEXT])) == ""

    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert [row["id"] for row in rows] == [order.id]
    assert "paid: read 1" in captured.err
    assert "orders exported: 1 (read: 1) to standard output" in captured.err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--since", "last week"], "argument --since: 'last week' is not a date (2026-12-01)"),
        (["--since", "2027-01-15", "--status", "lost"], "argument --status: invalid choice: 'lost'"),
        (["--since", "2027-01-15", "--output", "/no/such/dir/orders.csv"], "the directory /no/such/dir does not exist"),
        ([], "the following arguments are required: --since"),
    ],
)
def test_bad_arguments_are_refused_with_a_message_and_exit_2(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        admin.main(["orders", "export", *arguments])

    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
