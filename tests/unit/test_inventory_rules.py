"""Crossing detection and the low-stock and availability events, without AWS."""

from __future__ import annotations

from dataclasses import replace

import pytest

from storefront.data import inventory as inventory_data
from storefront.domain.errors import Conflict
from storefront.domain.inventory import service
from storefront.domain.inventory.entities import StockLevel, availability_changed, crossed_down
from storefront.domain.inventory.service import _availability_event, _low_stock_event, crossing_events

LEVEL = StockLevel(sku="S", product_id="P", on_hand=10, reserved=2, low_stock_threshold=5)  # available 8


@pytest.mark.parametrize(("on_hand", "crossed"), [(8, False), (7, True), (5, True), (2, True)])
def test_crossing_is_detected_when_available_reaches_the_threshold_from_above(on_hand: int, crossed: bool) -> None:
    assert crossed_down(LEVEL, replace(LEVEL, on_hand=on_hand)) is crossed


def test_no_crossing_is_detected_when_the_level_was_already_low() -> None:
    low = replace(LEVEL, on_hand=6)
    assert low.is_low
    assert not crossed_down(low, replace(low, on_hand=3))


def test_no_crossing_is_detected_when_stock_goes_back_up() -> None:
    low = replace(LEVEL, on_hand=6)
    assert not crossed_down(low, replace(low, on_hand=20))
    assert not crossed_down(LEVEL, replace(LEVEL, on_hand=20))


def test_raising_the_threshold_is_a_crossing_when_it_puts_available_at_or_under_it() -> None:
    assert crossed_down(LEVEL, replace(LEVEL, low_stock_threshold=8))
    assert not crossed_down(LEVEL, replace(LEVEL, low_stock_threshold=7))


def test_event_carries_the_level_after_the_write_when_a_crossing_happens() -> None:
    event = _low_stock_event(LEVEL, replace(LEVEL, on_hand=6))
    assert event is not None
    envelope = event.envelope(occurred_at=1_795_725_819)
    assert envelope["type"] == "inventory.low_stock"
    assert envelope["data"] == {
        "sku": "S",
        "product_id": "P",
        "on_hand": 6,
        "reserved": 2,
        "available": 4,
        "low_stock_threshold": 5,
    }
    assert _low_stock_event(LEVEL, replace(LEVEL, on_hand=9)) is None


@pytest.mark.parametrize(
    ("on_hand", "reserved", "changed"),
    [(3, 2, False), (2, 2, True), (2, 0, False), (12, 12, True), (0, 0, True)],
)
def test_availability_changes_when_available_reaches_zero_from_above(
    on_hand: int, reserved: int, changed: bool
) -> None:
    assert availability_changed(LEVEL, replace(LEVEL, on_hand=on_hand, reserved=reserved)) is changed


@pytest.mark.parametrize(("on_hand", "changed"), [(2, False), (3, True), (40, True)])
def test_availability_changes_when_available_leaves_zero(on_hand: int, changed: bool) -> None:
    sold_out = replace(LEVEL, on_hand=2)  # available 0
    assert not sold_out.in_stock
    assert availability_changed(sold_out, replace(sold_out, on_hand=on_hand)) is changed


def test_availability_does_not_change_when_only_the_threshold_moves() -> None:
    assert not availability_changed(LEVEL, replace(LEVEL, low_stock_threshold=100))
    sold_out = replace(LEVEL, on_hand=2)
    assert not availability_changed(sold_out, replace(sold_out, low_stock_threshold=0))


def test_availability_event_says_whether_the_sku_is_in_stock_after_the_write() -> None:
    sold_out = replace(LEVEL, on_hand=2)
    event = _availability_event(LEVEL, sold_out)
    assert event is not None
    envelope = event.envelope(occurred_at=1_795_725_819)
    assert envelope["type"] == "inventory.availability_changed"
    assert envelope["version"] == 1
    assert envelope["data"] == {
        "sku": "S",
        "product_id": "P",
        "in_stock": False,
        "available": 0,
        "on_hand": 2,
        "reserved": 2,
    }
    back = _availability_event(sold_out, replace(sold_out, on_hand=3))
    assert back is not None
    assert (back.in_stock, back.available) == (True, 1)
    assert _availability_event(LEVEL, replace(LEVEL, on_hand=3)) is None


def test_both_events_are_emitted_when_one_write_crosses_both_boundaries() -> None:
    events = crossing_events(LEVEL, replace(LEVEL, on_hand=2))
    assert [type(event).event_type for event in events] == ["inventory.low_stock", "inventory.availability_changed"]
    assert crossing_events(LEVEL, replace(LEVEL, on_hand=6)) == [_low_stock_event(LEVEL, replace(LEVEL, on_hand=6))]
    assert crossing_events(LEVEL, replace(LEVEL, on_hand=9)) == []


def test_adjustment_is_409_when_concurrent_changes_keep_winning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inventory_data, "adjust_unless_crossing", lambda *_: None)
    monkeypatch.setattr(inventory_data, "get_stock", lambda _: LEVEL)
    monkeypatch.setattr(inventory_data, "replace_level", lambda *_: False)
    monkeypatch.setattr(service, "_backoff", lambda _: None)
    with pytest.raises(Conflict):
        service.adjust("S", -5, "shrinkage")
    with pytest.raises(Conflict):
        service.set_level("S", 4, 5)
