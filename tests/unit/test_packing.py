"""Packed documents: smaller than zlib alone, and readable whatever dictionary (or none) packed them."""

from __future__ import annotations

import json
import zlib

import pytest

from storefront.data import packing
from storefront.data.packing import ORDER_DICTIONARY_1, pack, unpack

ORDER = {
    "items": [
        {
            "sku": f"JACKET-{size}",
            "product_id": f"01JD5Q8Z3XK2V7N4M6P8R0T2W{number}",
            "name": "Trail jacket, waterproof",
            "options": {"size": size},
            "quantity": 1,
            "unit_price": 12900,
        }
        for number, size in enumerate("SML")
    ],
    "shipping_total": 900,
    "shipping_address": {
        "name": "Ada Lovelace",
        "line1": "12 Example Street",
        "line2": None,
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62701",
        "country": "US",
        "phone": None,
    },
    "history": [{"status": "pending_payment", "at": 1764000000, "by": "system"}],
    "refunded_total": 0,
    "refunds": [],
    "tracking": None,
}
TEXT = json.dumps(ORDER, separators=(",", ":"))
ADLER_OF_ORDER_DICTIONARY_1 = 282658714  # items in tables were packed with it: editing it loses them


def test_a_packed_order_reads_back_exactly_and_is_smaller_than_zlib_alone_makes_it() -> None:
    packed = pack(TEXT, ORDER_DICTIONARY_1)

    assert unpack(packed) == TEXT
    assert len(packed) < 0.8 * len(zlib.compress(TEXT.encode(), 9))


def test_a_document_packed_without_a_dictionary_still_reads() -> None:
    assert unpack(zlib.compress(TEXT.encode())) == TEXT


def test_a_document_packed_with_an_older_dictionary_reads_after_a_new_one_is_added(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    packed = pack(TEXT, ORDER_DICTIONARY_1)
    newer = b'{"items":[{"sku":"","name":""}],"tracking":{"carrier":"","tracking_number":""}}'
    monkeypatch.setattr(packing, "_DICTIONARIES", {zlib.adler32(d): d for d in (ORDER_DICTIONARY_1, newer)})

    assert unpack(packed) == TEXT
    assert unpack(pack(TEXT, newer)) == TEXT


def test_the_first_order_dictionary_never_changes_so_what_it_packed_stays_readable() -> None:
    assert zlib.adler32(ORDER_DICTIONARY_1) == ADLER_OF_ORDER_DICTIONARY_1
