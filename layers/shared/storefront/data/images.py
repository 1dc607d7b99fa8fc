"""Product images in the table: registration, the image function's verdict, edits, removal.

Each write is one transaction on the image item and its product: the product's
`image_count` bounds the pending and ready images; a change the public sees (an image
becoming ready, edited or removed) also bumps the product's `revision` and stages the
outbox event of the change.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.transactions import TransactWrite

from storefront.data import keys
from storefront.data.image_items import ImageItem, to_record
from storefront.data.outbox import stage_event
from storefront.data.product_items import ProductItem
from storefront.data.table import committed
from storefront.domain.catalog.entities import ImageRecord, Product
from storefront.events.base import DomainEvent


def get_image(product_id: str, image_id: str) -> ImageRecord | None:
    """Access pattern IMAGE-GET: consistent GetItem PRODUCT#<id> / PRODUCT#IMAGE#<image id>."""
    try:
        return to_record(ImageItem.get(*keys.product_image(product_id, image_id), consistent_read=True))
    except ImageItem.DoesNotExist:
        return None


def list_images(product_id: str) -> list[ImageRecord]:
    """Access pattern IMAGE-LIST: consistent Query PK = PRODUCT#<id>, begins_with(SK, "PRODUCT#IMAGE#")."""
    pk, _ = keys.product(product_id)
    prefix = ImageItem.SK.startswith(keys.product_image_prefix())
    return [to_record(item) for item in ImageItem.query(pk, prefix, consistent_read=True)]


def _item(record: ImageRecord) -> ImageItem:
    return ImageItem(
        *keys.product_image(record.product_id, record.id),
        product_id=record.product_id,
        image_id=record.id,
        status=record.status,
        content_type=record.content_type,
        filename=record.filename,
        alt=record.alt,
        position=record.position,
        variants=json.dumps(record.variants),
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def _image_key(record: ImageRecord) -> ImageItem:
    return ImageItem(*keys.product_image(record.product_id, record.id))


def register_image(record: ImageRecord, max_images: int) -> bool:
    """Access pattern IMAGE-REGISTER: TransactWriteItems.

    Update the product if it exists, is not archived and has fewer than `max_images`
    images (ADD image_count 1); Put the pending image item if absent.
    """
    below = ProductItem.image_count.does_not_exist() | (ProductItem.image_count < max_images)
    condition = ProductItem.PK.exists() & (ProductItem.status != "archived") & below

    def write_all(write: TransactWrite) -> None:
        write.update(
            ProductItem(*keys.product(record.product_id)), actions=[ProductItem.image_count.add(1)], condition=condition
        )
        write.save(_item(record), condition=ImageItem.PK.does_not_exist())

    return committed(write_all)


def _bump(write: TransactWrite, before: Product, now: int, actions: list[Any] | None = None) -> None:
    """The product's revision as read, bumped: the public read and its ETag change."""
    condition = ProductItem.PK.exists() & (ProductItem.revision == before.revision)
    actions = [*(actions or []), ProductItem.revision.add(1), ProductItem.updated_at.set(now)]
    write.update(ProductItem(*keys.product(before.id)), actions=actions, condition=condition)


def mark_ready(before: Product, image: ImageRecord, event: DomainEvent, now: int) -> bool:
    """Access pattern IMAGE-READY: TransactWriteItems.

    Update the image if still pending (SET status ready, its variants' keys and the GSI1
    keys of PRODUCT-VIEW); Update the product (revision as read, ADD revision 1); Put the
    outbox event.
    """
    index_pk, index_sk = keys.product_view_index(image.product_id, "IMAGE", image.id)
    actions: list[Any] = [
        ImageItem.status.set("ready"),
        ImageItem.variants.set(json.dumps(image.variants)),
        ImageItem.updated_at.set(now),
        ImageItem.GSI1PK.set(index_pk),
        ImageItem.GSI1SK.set(index_sk),
    ]

    def write_all(write: TransactWrite) -> None:
        write.update(_image_key(image), actions=actions, condition=ImageItem.status == "pending")
        _bump(write, before, now)
        stage_event(write, event, now)

    return committed(write_all)


def mark_failed(image: ImageRecord, reason: str, now: int) -> bool:
    """Access pattern IMAGE-FAILED: TransactWriteItems.

    Update the image if still pending (SET status failed, failure_reason); Update the
    product (ADD image_count -1): a failed upload does not count against the limit.
    """

    def write_all(write: TransactWrite) -> None:
        actions: list[Any] = [
            ImageItem.status.set("failed"),
            ImageItem.failure_reason.set(reason),
            ImageItem.updated_at.set(now),
        ]
        write.update(_image_key(image), actions=actions, condition=ImageItem.status == "pending")
        write.update(
            ProductItem(*keys.product(image.product_id)),
            actions=[ProductItem.image_count.add(-1)],
            condition=ProductItem.PK.exists(),
        )

    return committed(write_all)


def update_image(before: Product, image: ImageRecord, event: DomainEvent, now: int) -> bool:
    """Access pattern IMAGE-UPDATE: TransactWriteItems.

    Update the image if its status is as read (SET alt, position); Update the product
    (revision as read, ADD revision 1); Put the outbox event.
    """
    alt = ImageItem.alt.set(image.alt) if image.alt is not None else ImageItem.alt.remove()
    actions: list[Any] = [alt, ImageItem.position.set(image.position), ImageItem.updated_at.set(now)]

    def write_all(write: TransactWrite) -> None:
        write.update(_image_key(image), actions=actions, condition=ImageItem.status == image.status)
        _bump(write, before, now)
        stage_event(write, event, now)

    return committed(write_all)


def delete_image(before: Product, image: ImageRecord, event: DomainEvent, now: int) -> bool:
    """Access pattern IMAGE-DELETE: TransactWriteItems.

    Delete the image if its status is as read; Update the product (revision as read,
    ADD revision 1, ADD image_count -1 unless the image had failed); Put the outbox event.
    """
    counted = [] if image.status == "failed" else [ProductItem.image_count.add(-1)]

    def write_all(write: TransactWrite) -> None:
        write.delete(_image_key(image), condition=ImageItem.status == image.status)
        _bump(write, before, now, counted)
        stage_event(write, event, now)

    return committed(write_all)
