"""A shipped order's tracking: the four built-in carriers get their tracking page, any other none."""

from __future__ import annotations

import pytest

from storefront.domain.orders.tracking import tracking_of


@pytest.mark.parametrize(
    ("given", "carrier", "url"),
    [
        ("UPS", "UPS", "https://www.ups.com/track?tracknum=1Z999AA10123456784"),
        ("u.p.s.", "UPS", "https://www.ups.com/track?tracknum=1Z999AA10123456784"),
        ("usps", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels=1Z999AA10123456784"),
        ("Fed Ex", "FedEx", "https://www.fedex.com/fedextrack/?trknbr=1Z999AA10123456784"),
        (
            "DHL",
            "DHL",
            "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=1Z999AA10123456784",
        ),
    ],
)
def test_a_built_in_carrier_gets_its_usual_name_and_tracking_url(given: str, carrier: str, url: str) -> None:
    assert tracking_of(given, "1Z999AA10123456784") == {"carrier": carrier, "number": "1Z999AA10123456784", "url": url}


def test_the_number_is_escaped_in_the_url_and_another_carrier_has_no_url() -> None:
    assert tracking_of("UPS", "1Z 99&9")["url"] == "https://www.ups.com/track?tracknum=1Z%2099%269"
    assert tracking_of("Royal Mail", "RM1GB") == {"carrier": "Royal Mail", "number": "RM1GB", "url": None}
