"""The fields of a postal address and a phone number, shared by saved addresses and checkouts.

A module of their own so that a function using them (checkout) does not build every users model.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StrictStr

from storefront.domain.users.rules import check_country, check_phone
from storefront.models.text_fields import Text

Phone = Annotated[
    StrictStr,
    Text(
        32,
        "Phone number: digits, spaces, ( ) . - and an optional leading +, e.g. +1 415 555 0100",
        min_length=0,
        rule=check_phone,
    ),
]
CountryCode = Annotated[
    StrictStr,
    Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2 country code in upper case, e.g. US, DE"),
    AfterValidator(check_country),
]
Label = Annotated[StrictStr, Text(50, "The user's name for the address, e.g. Home")]
RecipientName = Annotated[StrictStr, Text(100, "Who receives deliveries there")]
Line = Annotated[StrictStr, Text(200, "Street address line")]
City = Annotated[StrictStr, Text(100, "City or locality")]
Region = Annotated[StrictStr, Text(100, "State, province or region")]
PostalCode = Annotated[StrictStr, Text(20, "Postal or ZIP code")]
