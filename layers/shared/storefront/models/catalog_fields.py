"""Reusable constrained field types of the catalog's API models (strict: no coercion)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictFloat, StrictInt, StrictStr

from storefront.models.text_fields import Text
from storefront.text import check_unicode

Name = Annotated[StrictStr, Text(200, "Display name, 1–200 characters")]
Description = Annotated[
    StrictStr,
    Text(5000, "Plain-text description, at most 5000 characters", min_length=0, rule=check_unicode),
]
Brand = Annotated[StrictStr, Text(100, "The brand, 1–100 characters")]
Tag = Annotated[StrictStr, Text(50, "A tag, 1–50 characters")]
Slug = Annotated[
    StrictStr,
    Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80, description="Lower-case words joined by `-`"),
]
Id = Annotated[StrictStr, Field(min_length=1, max_length=64, description="A category id")]
AttributeName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="snake_case attribute name")]
# Numbers are stored in the search index (SQLite: integers up to 2^63 - 1) and read by
# JavaScript (exact integers up to 2^53): bounded well inside both; NaN and Infinity refused.
MAX_ATTRIBUTE_NUMBER = 10**15
AttributeValue = (
    StrictBool
    | Annotated[StrictInt, Field(ge=-MAX_ATTRIBUTE_NUMBER, le=MAX_ATTRIBUTE_NUMBER)]
    | Annotated[StrictFloat, Field(ge=-MAX_ATTRIBUTE_NUMBER, le=MAX_ATTRIBUTE_NUMBER, allow_inf_nan=False)]
    | Annotated[StrictStr, Text(200, min_length=0, strip=False)]
)
MAX_MONEY = 10**12
Money = Annotated[
    StrictInt,
    Field(ge=0, le=MAX_MONEY, description=f"Amount in minor units (1999 = 19.99), 0–{MAX_MONEY}; never a float"),
]
Currency = Annotated[StrictStr, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 currency code, upper case")]
Sku = Annotated[
    StrictStr,
    Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="Stock-keeping unit, unique across the store"),
]
OptionValue = Annotated[StrictStr, Text(100, strip=False)]
Options = Annotated[
    dict[AttributeName, OptionValue],
    Field(max_length=10, description="Option name → value that tells the variants apart, e.g. {'size': 'M'}"),
]
Grams = Annotated[StrictInt, Field(ge=0, le=10**7, description="Shipping weight in grams, 0–10000000")]
