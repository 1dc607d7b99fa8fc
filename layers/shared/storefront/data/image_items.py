"""Product image items (`PRODUCT#<id>` / `PRODUCT#IMAGE#<image id>`) and the images' object keys.

An image item is written `pending` when a manager asks for an upload; the image function
marks it `ready` (and only then gives it the GSI1 keys of PRODUCT-VIEW, so the public read
never sees a pending image) or `failed`. Object keys and URLs are built here, and only here.
"""

from __future__ import annotations

import json

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from storefront.data.table import TableItem
from storefront.domain.catalog.entities import Image, ImageRecord
from storefront.settings import get_settings

UPLOADS_PREFIX = "uploads/"
IMAGES_PREFIX = "images/"
SHOWN_WIDTH = 1024  # the variant the product's `url` points at


class ImageItem(TableItem, discriminator="ProductImage"):
    product_id = UnicodeAttribute()
    image_id = UnicodeAttribute()
    status = UnicodeAttribute()  # pending, ready, failed
    content_type = UnicodeAttribute()
    filename = UnicodeAttribute()
    alt = UnicodeAttribute(null=True)
    position = NumberAttribute()
    variants = UnicodeAttribute(default="{}")  # JSON: width → object key
    failure_reason = UnicodeAttribute(null=True)  # set with status failed
    created_at = NumberAttribute()
    updated_at = NumberAttribute()


def upload_key(product_id: str, image_id: str) -> str:
    """Where the presigned POST puts the client's bytes (the image function's trigger prefix)."""
    return f"{UPLOADS_PREFIX}{product_id}/{image_id}"


def parse_upload_key(key: str) -> tuple[str, str] | None:
    """(product id, image id) of an upload key; None for anything else."""
    parts = key.split("/")
    if len(parts) != 3 or f"{parts[0]}/" != UPLOADS_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def variant_key(product_id: str, image_id: str, width: int) -> str:
    return f"{IMAGES_PREFIX}{product_id}/{image_id}/{width}.webp"


def public_url(key: str) -> str:
    return f"{get_settings().images_base_url.rstrip('/')}/{key}"


def shown_url(product_id: str, image_id: str) -> str:
    """The URL an image is (or will be) served at: its 1024 px variant on the CDN."""
    return public_url(variant_key(product_id, image_id, SHOWN_WIDTH))


def to_record(item: ImageItem) -> ImageRecord:
    return ImageRecord(
        product_id=item.product_id,
        id=item.image_id,
        status=item.status,  # type: ignore[arg-type]
        content_type=item.content_type,
        filename=item.filename,
        alt=item.alt,
        position=int(item.position),
        created_at=int(item.created_at),
        updated_at=int(item.updated_at),
        variants=json.loads(item.variants or "{}"),
        failure_reason=item.failure_reason,
    )


def to_image(item: ImageItem) -> Image:
    return Image(
        id=item.image_id, url=shown_url(item.product_id, item.image_id), alt=item.alt, position=int(item.position)
    )


def shown_images(items: list[object]) -> list[Image]:
    """The ready images among a product's items, by position (ties by id)."""
    ready = [item for item in items if isinstance(item, ImageItem) and item.status == "ready"]
    return [to_image(item) for item in sorted(ready, key=lambda item: (int(item.position), item.image_id))]
