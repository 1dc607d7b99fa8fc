"""A shipped parcel's tracking: the carrier, its number, and where to follow it.

The four carriers most stores ship with have a public tracking page that takes the
number in its query string; any other carrier is kept by the name given, without a URL
(a customer still gets the carrier and the number).
"""

from __future__ import annotations

from urllib.parse import quote

# The carrier's name as it is written, lower case without spaces or dots -> (its name, its page).
_CARRIERS: dict[str, tuple[str, str]] = {
    "ups": ("UPS", "https://www.ups.com/track?tracknum={number}"),
    "usps": ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"),
    "fedex": ("FedEx", "https://www.fedex.com/fedextrack/?trknbr={number}"),
    "dhl": ("DHL", "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id={number}"),
}
KNOWN_CARRIERS = tuple(name for name, _ in _CARRIERS.values())


def tracking_of(carrier: str, number: str) -> dict[str, str | None]:
    """The order's `tracking`: a known carrier's name in its usual spelling, with its tracking URL."""
    known = _CARRIERS.get(carrier.lower().replace(" ", "").replace(".", ""))
    if known is None:
        return {"carrier": carrier, "number": number, "url": None}
    name, page = known
    return {"carrier": name, "number": number, "url": page.format(number=quote(number, safe=""))}
