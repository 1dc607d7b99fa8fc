"""What the request models refuse at the edge: hostile names, unbounded or non-finite numbers."""

from __future__ import annotations

import importlib
import inspect
import math
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import storefront.models
from storefront.models.catalog import CategoryCreate, CategoryPatch, ProductCreate, ProductPatch
from storefront.models.catalog_images import ProductImageCreate, ProductImagePatch
from storefront.models.identity import RegisterRequest
from storefront.models.users import AddressCreate, AddressPatch, UserProfilePatch
from storefront.text import check_name

PRODUCT: dict[str, Any] = {
    "name": "Trail Shoe",
    "category_id": "C1",
    "brand": "Acme",
    "price": 8900,
    "currency": "EUR",
    "attributes": {"colour": "red"},
    "tags": ["running"],
    "variants": [{"sku": "SHOE-1", "options": {"size": "42"}}],
}
ADDRESS: dict[str, Any] = {"label": "Home", "name": "Ann", "line1": "1 Main St", "city": "Springfield", "country": "US"}
REGISTER: dict[str, Any] = {"email": "ann@example.com", "password": "correct horse battery", "name": "Ann"}

# Every name-like field: (model, a valid body, a function that puts the text in the field).
NAME_FIELDS: list[tuple[type[BaseModel], dict[str, Any], Any]] = [
    (ProductCreate, PRODUCT, lambda body, text: {**body, "name": text}),
    (ProductCreate, PRODUCT, lambda body, text: {**body, "brand": text}),
    (ProductCreate, PRODUCT, lambda body, text: {**body, "tags": [text]}),
    (ProductCreate, PRODUCT, lambda body, text: {**body, "attributes": {"colour": text}}),
    (ProductCreate, PRODUCT, lambda body, text: {**body, "variants": [{"sku": "S-1", "options": {"size": text}}]}),
    (ProductPatch, {}, lambda body, text: {"name": text}),
    (CategoryCreate, {"name": "Shoes", "slug": "shoes"}, lambda body, text: {**body, "name": text}),
    (CategoryPatch, {}, lambda body, text: {"name": text}),
    (RegisterRequest, REGISTER, lambda body, text: {**body, "name": text}),
    (UserProfilePatch, {}, lambda body, text: {"name": text}),
    *[
        (AddressCreate, ADDRESS, lambda body, text, field=field: {**body, field: text})
        for field in ("label", "name", "line1", "line2", "city", "region", "postal_code")
    ],
    (AddressPatch, {}, lambda body, text: {"label": text}),
    (ProductImageCreate, {"content_type": "image/png", "filename": "a.png"}, lambda body, text: {**body, "alt": text}),
    (ProductImageCreate, {"content_type": "image/png"}, lambda body, text: {**body, "filename": text}),
    (ProductImagePatch, {}, lambda body, text: {"alt": text}),
]
HOSTILE = [
    "invoice\u202egpj.exe",  # RIGHT-TO-LEFT OVERRIDE: shows as "invoiceexe.jpg"
    "Ann\u202d",
    "a\u202ab",
    "\u2066Ann\u2069",
    "Ann\u200f",
    "Ann\u200e x",
    "Ann\x00",
    "A\nnn",
    "A\tnn",
    "Ann\x1b[31m",
    "Ann\x7f",
    "A\x85nn",  # interior: at either end, whitespace stripping removes it
    "Ann\x9b",
    "Ann\ud800",
]


def _name_cases() -> Iterator[Any]:
    for index, (model, body, put) in enumerate(NAME_FIELDS):
        field = next(name for name, value in put(body, "<>").items() if "<>" in repr(value))
        yield pytest.param(model, body, put, id=f"{index}-{model.__name__}.{field}")


@pytest.mark.parametrize(("model", "body", "put"), list(_name_cases()))
@pytest.mark.parametrize("text", HOSTILE, ids=ascii)
def test_a_name_is_refused_when_it_holds_a_control_or_bidi_formatting_character(
    model: type[BaseModel], body: dict[str, Any], put: Any, text: str
) -> None:
    model.model_validate(put(body, "Ann"))  # the body is otherwise valid
    with pytest.raises(ValidationError):
        model.model_validate(put(body, text))


@pytest.mark.parametrize("text", ["Zoë", "山田 太郎", "Ωmega-Shop", "שלום", "مرحبا", "O'Brien & Co.", "🙂 Smile"])
def test_a_name_is_accepted_when_it_is_text_of_any_script(text: str) -> None:
    assert check_name(text) == text
    assert RegisterRequest.model_validate({**REGISTER, "name": text}).name == text


@pytest.mark.parametrize(
    "value", [math.inf, -math.inf, math.nan, 10**15 + 1, -(10**15) - 1, 1e16, 2**63, -(2**63) - 1, 10**400]
)
def test_an_attribute_number_is_refused_when_it_is_not_finite_or_out_of_bounds(value: float) -> None:
    with pytest.raises(ValidationError):
        ProductCreate.model_validate({**PRODUCT, "attributes": {"size": value}})
    with pytest.raises(ValidationError):
        CategoryCreate.model_validate(
            {"name": "Shoes", "slug": "shoes", "attributes": {"size": {"type": "number", "values": [value]}}}
        )


@pytest.mark.parametrize("value", [0, 42, -7, 10**15, 2.5, -1e15, True, "XL"])
def test_an_attribute_value_is_accepted_when_it_is_in_bounds(value: Any) -> None:
    assert ProductCreate.model_validate({**PRODUCT, "attributes": {"size": value}}).attributes["size"] == value


@pytest.mark.parametrize(
    "changes",
    [
        {"price": 10**12 + 1},
        {"price": 2**63},
        {"price": -1},
        # The inventory's bound: a SKU created with more could never be counted or adjusted.
        {"variants": [{"sku": "S-1", "initial_stock": 10**7 + 1}]},
        {"variants": [{"sku": "S-1", "price": 2**64}]},
        {"variants": [{"sku": "S-1", "weight_grams": 10**7 + 1}]},
    ],
)
def test_a_product_is_refused_when_an_integer_is_out_of_bounds(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ProductCreate.model_validate({**PRODUCT, **changes})


def test_a_variant_may_start_with_as_many_units_as_the_inventory_can_hold() -> None:
    product = ProductCreate.model_validate({**PRODUCT, "variants": [{"sku": "S-1", "initial_stock": 10**7}]})
    assert product.variants[0].initial_stock == 10**7


def _request_models() -> Iterator[type[BaseModel]]:
    """Every model a client sends: they all forbid unknown fields."""
    for info in pkgutil.iter_modules(storefront.models.__path__):
        module = importlib.import_module(f"storefront.models.{info.name}")
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseModel) and value.model_config.get("extra") == "forbid":
                yield value


def _numbers(schema: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(schema, dict):
        if schema.get("type") in ("integer", "number"):
            yield path, schema
        for key, value in schema.items():
            yield from _numbers(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from _numbers(value, f"{path}/{index}")


def test_every_number_a_client_sends_has_documented_bounds_when_modelled() -> None:
    models = sorted(set(_request_models()), key=lambda model: model.__name__)
    assert {"ProductCreate", "StockAdjustmentCreate", "AddressCreate", "RegisterRequest"} <= {
        m.__name__ for m in models
    }
    unbounded = [
        f"{model.__name__}{path}"
        for model in models
        for path, schema in _numbers(model.model_json_schema())
        if "maximum" not in schema or "minimum" not in schema
    ]
    assert unbounded == []
