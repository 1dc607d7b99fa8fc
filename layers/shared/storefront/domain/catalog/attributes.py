"""Attribute definitions: inherited down the category tree, and checked on products.

A category's effective definitions are its ancestors' (root first) merged with its own.
A category may narrow an inherited definition (allowed values, required) but never
change its type: a product in it would otherwise break its ancestors' rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from storefront.domain.catalog.entities import AttributeDefinition, AttributeValue
from storefront.domain.errors import FieldError, Unprocessable

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "number": (int, float), "boolean": (bool,)}


def is_of_type(value: object, type_name: str) -> bool:
    # bool is an int in Python: never let True pass as a number.
    if type_name != "boolean" and isinstance(value, bool):
        return False
    return isinstance(value, _PYTHON_TYPES[type_name])


def check_definitions(own: Mapping[str, AttributeDefinition], field: str = "attributes") -> None:
    """Each definition's allowed values must be of its own type."""
    errors = [
        FieldError((field, name, "values"), f"every allowed value must be a {definition.type}", "attribute_values")
        for name, definition in own.items()
        if definition.values is not None and not all(is_of_type(value, definition.type) for value in definition.values)
    ]
    if errors:
        raise Unprocessable("Attribute definitions are invalid.", errors=errors)


def conflicts(inherited: Mapping[str, AttributeDefinition], own: Mapping[str, AttributeDefinition]) -> list[str]:
    """Names that `own` redefines with another type than `inherited`."""
    return sorted(
        name for name, definition in own.items() if name in inherited and inherited[name].type != definition.type
    )


def merge(chain: Iterable[Mapping[str, AttributeDefinition]]) -> dict[str, AttributeDefinition]:
    """The effective definitions of the last category of `chain` (root first).

    Raises Unprocessable when a category redefines an inherited attribute with another type.
    """
    merged: dict[str, AttributeDefinition] = {}
    for own in chain:
        clashes = conflicts(merged, own)
        if clashes:
            errors = [
                FieldError(("attributes", name), f"is inherited as a {merged[name].type}", "attribute_type")
                for name in clashes
            ]
            raise Unprocessable("A category may not change the type of an inherited attribute.", errors=errors)
        merged.update(own)
    return merged


def validate(definitions: Mapping[str, AttributeDefinition], values: Mapping[str, AttributeValue]) -> None:
    """A product's attributes against its category's effective definitions; 422 naming each offender."""
    errors: list[FieldError] = []
    for name, value in values.items():
        definition = definitions.get(name)
        if definition is None:
            errors.append(FieldError(("attributes", name), "is not an attribute of the category", "attribute_unknown"))
        elif not is_of_type(value, definition.type):
            errors.append(FieldError(("attributes", name), f"must be a {definition.type}", "attribute_type"))
        elif definition.values is not None and value not in definition.values:
            allowed = ", ".join(str(allowed) for allowed in definition.values)
            errors.append(FieldError(("attributes", name), f"must be one of: {allowed}", "attribute_value"))
    for name, definition in definitions.items():
        if definition.required and name not in values:
            errors.append(FieldError(("attributes", name), "is required by the category", "attribute_missing"))
    if errors:
        raise Unprocessable("The product's attributes do not match its category's definitions.", errors=errors)
