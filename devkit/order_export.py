"""`make admin ARGS="orders export --since ..."`: staff's CSV of orders, read through GSI2, never a Scan.

One Query per status (ORDERS-BY-STATUS, newest first, paged): without `--status` every
status in turn, as the staff list answers one status at a time. The rows are merged and
written newest first (by `created_at`, then id). Paging stops once the index has reached
orders older than `--since`:

- GSI2 sorts an order by its id, which is its checkout's opening time; the order is made
  when that checkout completes, at most the checkout's lifetime later (settings cap
  CHECKOUT_TTL_SECONDS at a day). So once an order was created more than a day before
  `--since`, every order after it in the index was created before `--since` too.
- An unpaid order sorts by its payment deadline, which is after its creation: once a
  deadline is before `--since`, so is every later order's creation.

An order that changes status during the export can be listed under both statuses (the
index is eventually consistent): it is written once, as its newest version.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, get_args

from storefront.domain.orders.entities import OrderStatus

if TYPE_CHECKING:
    from storefront.domain.orders.entities import Order

STATUSES: tuple[str, ...] = get_args(OrderStatus)
PAGE_SIZE = 100  # orders per Query
CHECKOUT_LIFETIME_BOUND_S = 86_400  # the settings refuse a longer CHECKOUT_TTL_SECONDS

COLUMNS = (
    "id",
    "number",
    "user_id",
    "status",
    "created_at",
    "updated_at",
    "currency",
    "subtotal",
    "shipping_total",
    "total",
    "refunded_total",
    "payment_provider",
    "payment_status",
    "item_count",
    "shipping_country",
    "carrier",
    "tracking_number",
)
# A spreadsheet runs a cell starting with one of these as a formula: text cells get a quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def parse_since(text: str) -> int:
    """`--since`: a date (midnight UTC) or an ISO 8601 date and time (UTC when no offset); epoch seconds."""
    try:
        moment = datetime.fromisoformat(text)  # a date alone is its midnight
    except ValueError:
        raise ValueError(f"{text!r} is not a date (2026-12-01) or a date and time (2026-12-01T08:30:00Z)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def check_output(text: str) -> Path:
    """`--output`: a file in an existing directory (written whole, or not at all)."""
    path = Path(text)
    if path.is_dir():
        raise ValueError(f"{text} is a directory: name a file, e.g. {path / 'orders.csv'}")
    if not path.parent.resolve().is_dir():
        raise ValueError(f"the directory {path.parent} does not exist")
    if not os.access(path.parent.resolve(), os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ValueError(f"{text} cannot be written here (permissions)")
    return path


def _iso(epoch_seconds: int) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: str | None) -> str:
    value = value or ""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def row(order: Order) -> dict[str, Any]:
    """One CSV row: amounts in minor units (as the API), times in UTC, units summed over the lines."""
    tracking = order.tracking or {}
    return {
        "id": order.id,
        "number": order.number,
        "user_id": order.user_id,
        "status": order.status,
        "created_at": _iso(order.created_at),
        "updated_at": _iso(order.updated_at),
        "currency": order.currency,
        "subtotal": order.subtotal,
        "shipping_total": order.shipping_total,
        "total": order.total,
        "refunded_total": order.refunded_total,
        "payment_provider": order.payment.provider,
        "payment_status": order.payment.status,
        "item_count": sum(line.quantity for line in order.items),
        "shipping_country": order.shipping_address.country,
        # The parcel's carrier once shipped, else the carrier of the chosen shipping method.
        "carrier": _text(tracking.get("carrier") or order.shipping_method.carrier),
        "tracking_number": _text(tracking.get("number")),
    }


class Progress:
    """A counter line on stderr, rewritten in place on a terminal; one line per status otherwise."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.read = 0

    def page(self, status: str, count: int) -> None:
        self.read += count
        if self.live:
            self.stream.write(f"\rorders read: {self.read} (now {status})\x1b[K")
            self.stream.flush()

    def status_done(self, status: str, read: int) -> None:
        if not self.live:
            self.stream.write(f"{status}: read {read}\n")

    def finish(self, exported: int, target: str) -> None:
        clear = "\r\x1b[K" if self.live else ""
        self.stream.write(f"{clear}orders exported: {exported} (read: {self.read}) to {target}\n")
        self.stream.flush()


def _orders_since(status: str, since: int, progress: Progress) -> Iterator[Order]:
    """ORDERS-BY-STATUS, newest first, page by page, until the index is past `since` (see the module)."""
    from storefront.data.orders import orders_in_status

    start: dict[str, Any] | None = None
    read = 0
    while True:
        page = orders_in_status(status, PAGE_SIZE, start)
        read += len(page.items)
        progress.page(status, len(page.items))
        for order in page.items:
            if order.created_at >= since:
                yield order
        last = page.items[-1] if page.items else None
        if last is None or page.last_key is None or _past(last, status, since):
            progress.status_done(status, read)
            return
        start = page.last_key


def _past(order: Order, status: str, since: int) -> bool:
    """True when every order after this one in `status`'s index was created before `since`."""
    if status == "pending_payment":
        return order.payment_deadline < since
    return order.created_at + CHECKOUT_LIFETIME_BOUND_S < since


@dataclass(frozen=True)
class Export:
    since: int
    statuses: tuple[str, ...]
    output: Path | None  # None: standard output


def collect(export: Export, progress: Progress) -> list[Order]:
    """The orders of the statuses created since `since`, each once (its newest version), newest first."""
    newest: dict[str, Order] = {}
    for status in export.statuses:
        for order in _orders_since(status, export.since, progress):
            seen = newest.get(order.id)
            if seen is None or order.updated_at > seen.updated_at:
                newest[order.id] = order
    return sorted(newest.values(), key=lambda order: (order.created_at, order.id), reverse=True)


def write_csv(rows: list[Order], stream: IO[str]) -> None:
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(row(order) for order in rows)


def run(export: Export, stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    """Reads, then writes the CSV (a file is replaced only once complete); the number of rows."""
    progress = Progress(stderr or sys.stderr)
    found = collect(export, progress)
    if export.output is None:
        write_csv(found, stdout or sys.stdout)
        progress.finish(len(found), "standard output")
        return len(found)
    partial = export.output.with_name(export.output.name + ".part")
    with partial.open("w", newline="", encoding="utf-8") as stream:
        write_csv(found, stream)
    os.replace(partial, export.output)
    progress.finish(len(found), str(export.output))
    return len(found)
