"""Product images: presigned uploads, the check of the uploaded bytes, edits and removal.

A manager gets a presigned POST for one declared type; the bucket notifies the image
function, which checks the bytes (the presign conditions are S3's word, not moto's, so
they are checked again here), writes the resized variants and marks the image ready,
or deletes the upload and marks it failed, with the reason. Only ready images are shown
to customers, by `position` (a sort key: equal positions are ordered by id; other images
never shift); staff see every image with its status (`staff_images`, `get_image`).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from storefront.data import image_storage as storage
from storefront.data import images as repository
from storefront.data import products as product_repository
from storefront.data.image_items import parse_upload_key, shown_url, upload_key, variant_key
from storefront.domain import clock
from storefront.domain.catalog.entities import Image, ImageRecord, Product
from storefront.domain.errors import Conflict, NotFound
from storefront.events.catalog import ProductData, ProductUpdated
from storefront.ids import new_ulid
from storefront.observability import module_logger
from storefront.settings import get_settings

if TYPE_CHECKING:
    from PIL.Image import Image as PillowImage

log = module_logger()

CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")
MAX_IMAGES = 20  # pending and ready images of one product
# A pending image whose bytes have not been checked this long never will be (its upload
# form expired long ago): it is marked failed and stops counting toward MAX_IMAGES.
STALE_PENDING_S = 3600
NEVER_CHECKED = "No upload was received and checked within an hour: the upload form has expired."
MAX_REASON_CHARS = 500
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
UPLOAD_EXPIRES_S = 300
WIDTHS = (320, 1024)
# How the bytes are read and written (Pillow): exactly the declared format, WebP out.
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
WEBP_QUALITY = 82
# A very tall image is bounded too: at most 4 times as tall as it is wide.
MAX_ASPECT = 4
ATTEMPTS = 3
NO_PRODUCT = "No such product."
NO_IMAGE = "No such image."
BUSY = "The product changed concurrently; try again."


class InvalidImage(Exception):
    """The uploaded bytes are not an acceptable image of the declared type."""


@dataclass(frozen=True)
class Upload:
    image: ImageRecord
    url: str  # the presigned POST's form action
    fields: dict[str, str]  # the form fields to send before the file
    image_url: str  # where the image is served once ready


def _current(product_id: str) -> Product:
    product = product_repository.read_product(product_id)
    if product is None or product.status == "archived":
        raise NotFound(NO_PRODUCT)
    return product


def _settled(image: ImageRecord, now: int) -> ImageRecord | None:
    """The image, marked failed first if it has been pending for over STALE_PENDING_S.

    The mark is conditioned on the image still being pending: a check that finishes
    meanwhile wins, and the image is read again as it is (None: deleted meanwhile).
    """
    if image.status != "pending" or now - image.created_at < STALE_PENDING_S:
        return image
    if repository.mark_failed(image, NEVER_CHECKED, now):
        log.warning("image upload never checked: marked failed", extra={"image_id": image.id})
        return replace(image, status="failed", failure_reason=NEVER_CHECKED, updated_at=now)
    return repository.get_image(image.product_id, image.id)


def _with_stale_uploads_failed(product_id: str, now: int) -> list[ImageRecord]:
    """The product's images, after marking failed those pending for over STALE_PENDING_S.

    Done when the cap is checked and when staff look, the moments it matters, so no
    sweeper has to scan.
    """
    settled = (_settled(image, now) for image in repository.list_images(product_id))
    return [image for image in settled if image is not None]


def staff_images(product_id: str) -> list[Image]:
    """Every image of the product, whatever its status, by position (ties by id): the staff view."""
    records = sorted(_with_stale_uploads_failed(product_id, clock.now()), key=lambda image: (image.position, image.id))
    return [
        Image(
            image.id,
            shown_url(image.product_id, image.id),
            image.alt,
            image.position,
            image.status,
            image.failure_reason,
        )
        for image in records
    ]


def get_image(product_id: str, image_id: str) -> ImageRecord:
    """One image, whatever its status (staff): 404 when the product has no such image.

    An image item exists only under an existing product (products are archived, never
    deleted), so one GetItem answers for both.
    """
    image = _settled(_image(product_id, image_id), clock.now())
    if image is None:
        raise NotFound(NO_IMAGE)
    return image


def register_image(product_id: str, content_type: str, filename: str, alt: str | None) -> Upload:
    """A pending image and the presigned POST its bytes go to (404 archived, 409 full)."""
    _current(product_id)
    now = clock.now()
    existing = [image for image in _with_stale_uploads_failed(product_id, now) if image.status != "failed"]
    if len(existing) >= MAX_IMAGES:
        raise Conflict(f"A product has at most {MAX_IMAGES} images.")
    position = max((image.position for image in existing), default=-1) + 1
    image = ImageRecord(product_id, new_ulid(), "pending", content_type, filename, alt, position, now, now)
    if not repository.register_image(image, MAX_IMAGES):
        _current(product_id)  # 404 when archived meanwhile
        raise Conflict(f"A product has at most {MAX_IMAGES} images.")
    url, fields = storage.presigned_post(
        get_settings().images_bucket,
        upload_key(product_id, image.id),
        content_type,
        MAX_UPLOAD_BYTES,
        UPLOAD_EXPIRES_S,
    )
    return Upload(image, url, fields, image_url(image))


def image_url(image: ImageRecord) -> str:
    """Where the image is (or, while pending, will be) served: its shown variant on the CDN."""
    return shown_url(image.product_id, image.id)


def _image(product_id: str, image_id: str) -> ImageRecord:
    image = repository.get_image(product_id, image_id)
    if image is None:
        raise NotFound(NO_IMAGE)
    return image


def _event(before: Product, now: int, change: str, image_id: str) -> ProductUpdated:
    after = replace(before, updated_at=now, revision=before.revision + 1)
    return ProductUpdated(product=ProductData.of(after), change=change, image_id=image_id)


def update_image(product_id: str, image_id: str, changes: dict[str, Any]) -> ImageRecord:
    """`changes`: alt (None clears it), position."""
    for _ in range(ATTEMPTS):
        before = _current(product_id)
        image = replace(_image(product_id, image_id), **changes)
        now = clock.now()
        if repository.update_image(before, image, _event(before, now, "image_updated", image_id), now):
            return replace(image, updated_at=now)
    raise Conflict(BUSY)


def delete_image(product_id: str, image_id: str) -> None:
    """Removes the image and its objects (a variant may stay in the CDN's cache until it expires)."""
    for _ in range(ATTEMPTS):
        before = _current(product_id)
        image = _image(product_id, image_id)
        now = clock.now()
        if repository.delete_image(before, image, _event(before, now, "image_removed", image_id), now):
            objects = [*image.variants.values(), upload_key(product_id, image_id)]
            storage.delete_objects(get_settings().images_bucket, objects)
            return
    raise Conflict(BUSY)


def _opened(data: bytes, content_type: str) -> PillowImage:
    from PIL import Image, UnidentifiedImageError

    expected = PILLOW_FORMATS.get(content_type)
    if expected is None:
        raise InvalidImage(f"{content_type} is not an accepted type")
    try:
        image = Image.open(io.BytesIO(data), formats=list(PILLOW_FORMATS.values()))
    except UnidentifiedImageError as error:  # its message is only the stream's repr
        raise InvalidImage("not a JPEG, PNG or WebP image") from error
    except (OSError, ValueError, SyntaxError) as error:
        raise InvalidImage(f"not a JPEG, PNG or WebP image: {error}") from error
    if image.format != expected:
        raise InvalidImage(f"declared {content_type}, but the bytes are {image.format}")
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise InvalidImage(f"{width}x{height} is over {MAX_PIXELS} pixels")
    return image


def transcode(data: bytes, content_type: str) -> dict[int, bytes]:
    """WebP bytes per width; InvalidImage when the bytes are not an acceptable image.

    Pillow is imported here, not with the module: only the image function ships it.
    """
    from PIL import Image, ImageOps

    # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that: decompression
    # bombs are errors, never warnings.
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with _opened(data, content_type) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
                mode = "RGBA" if "A" in upright.getbands() or "transparency" in upright.info else "RGB"
                pixels = upright.convert(mode)
        except InvalidImage:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise InvalidImage(str(error)) from error
        except (OSError, ValueError, SyntaxError, EOFError) as error:
            raise InvalidImage(f"the image cannot be decoded: {error}") from error
    variants = {}
    for width in WIDTHS:
        variant = pixels.copy()
        variant.thumbnail((width, width * MAX_ASPECT), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        # A new image of the pixels only: no EXIF, XMP or ICC profile is written.
        variant.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
        variants[width] = out.getvalue()
    return variants


def _check(bucket: str, key: str, image: ImageRecord) -> dict[int, bytes]:
    size = storage.object_size(bucket, key)
    if size is None:
        raise InvalidImage("the uploaded file was not found")
    if not 0 < size <= MAX_UPLOAD_BYTES:
        raise InvalidImage(f"the file is {size} bytes; it must be 1 to {MAX_UPLOAD_BYTES} bytes")
    data = storage.read_object(bucket, key, MAX_UPLOAD_BYTES)
    if data is None or not 0 < len(data) <= MAX_UPLOAD_BYTES:
        raise InvalidImage("the upload went away or grew over the limit")
    return transcode(data, image.content_type)


def process_upload(bucket: str, key: str) -> str:
    """The image function's work for one uploaded object: ready, failed, or skipped.

    Idempotent: an image that is no longer pending (a redelivered notification) is
    skipped; an upload for an unknown (deleted) image is deleted.
    """
    ids = parse_upload_key(key)
    if ids is None:
        log.warning("ignoring %s: not an upload key", key)
        return "skipped"
    image = repository.get_image(*ids)
    if image is None or image.status != "pending":
        if image is None:
            storage.delete_objects(bucket, [key])
        return "skipped"
    try:
        variants = _check(bucket, key, image)
    except InvalidImage as reason:
        log.warning("image %s rejected: %s", image.id, reason)
        storage.delete_objects(bucket, [key])
        repository.mark_failed(image, _reason(reason), clock.now())
        return "failed"
    keys = {str(width): variant_key(image.product_id, image.id, width) for width in variants}
    for width, data in variants.items():
        storage.put_variant(bucket, keys[str(width)], data)
    ready = replace(image, status="ready", variants=keys)
    for _ in range(ATTEMPTS):
        before = product_repository.read_product(image.product_id)
        if before is None:
            break
        now = clock.now()
        if repository.mark_ready(before, ready, _event(before, now, "image_added", image.id), now):
            storage.delete_objects(bucket, [key])
            return "ready"
        if repository.get_image(*ids) != image:
            return "skipped"  # deleted or processed meanwhile
    raise RuntimeError(f"image {image.id}: the product kept changing")


def _reason(error: InvalidImage) -> str:
    """What the manager reads: the check's own words, bounded."""
    text = str(error).strip() or "The file is not an acceptable image."
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"
