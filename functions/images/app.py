"""Image function: checks each upload of the images bucket and publishes its variants.

Triggered by the bucket's ObjectCreated notifications for `uploads/` (template.yaml).
S3 enforces the presigned POST's conditions; moto (local mode) does not, so everything is
checked again here: the size, that Pillow reads the bytes as exactly the declared type,
and at most 40 megapixels (decompression bombs are errors, never warnings). A good image
becomes WebP variants 320 and 1024 px wide at most (orientation applied, metadata
dropped) and is marked ready; anything else is deleted and marked failed. A redelivered
notification for an image already decided changes nothing.
"""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from PIL import Image, ImageOps, UnidentifiedImageError

from storefront.domain.catalog.images import MAX_PIXELS, WIDTHS, InvalidImage, process_upload
from storefront.observability import function_logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = function_logger()

# Pillow warns above MAX_IMAGE_PIXELS and raises above twice that: warnings become errors below.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
WEBP_QUALITY = 82
# A very tall image is bounded too: at most 4 times as tall as it is wide.
MAX_ASPECT = 4


def _opened(data: bytes, content_type: str) -> Image.Image:
    expected = PILLOW_FORMATS.get(content_type)
    if expected is None:
        raise InvalidImage(f"{content_type} is not an accepted type")
    try:
        image = Image.open(io.BytesIO(data), formats=list(PILLOW_FORMATS.values()))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise InvalidImage(f"not a JPEG, PNG or WebP image: {error}") from error
    if image.format != expected:
        raise InvalidImage(f"declared {content_type}, but the bytes are {image.format}")
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise InvalidImage(f"{width}x{height} is over {MAX_PIXELS} pixels")
    return image


def transcode(data: bytes, content_type: str) -> dict[int, bytes]:
    """WebP bytes per width; InvalidImage when the bytes are not an acceptable image."""
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


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcomes = []
    for record in event.get("Records") or []:
        s3 = record["s3"]
        key = unquote_plus(s3["object"]["key"])  # S3 sends the key URL-encoded
        outcome = process_upload(s3["bucket"]["name"], key, transcode)
        logger.info("upload processed", extra={"key": key, "outcome": outcome})
        outcomes.append({"key": key, "outcome": outcome})
    return {"processed": outcomes}
