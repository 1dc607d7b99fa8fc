"""Image function: checks each upload of the images bucket and publishes its variants.

Triggered by the bucket's ObjectCreated notifications for `uploads/` (template.yaml).
S3 enforces the presigned POST's conditions; moto (local mode) does not, so everything is
checked again (storefront/domain/catalog/images.py): the size, that Pillow reads the bytes as exactly the declared type,
and at most 40 megapixels (decompression bombs are errors, never warnings). A good image
becomes WebP variants 320 and 1024 px wide at most (orientation applied, metadata
dropped) and is marked ready; anything else is deleted and marked failed. A redelivered
notification for an image already decided changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from storefront.domain.catalog.images import process_upload
from storefront.observability import function_logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = function_logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcomes = []
    for record in event.get("Records") or []:
        s3 = record["s3"]
        key = unquote_plus(s3["object"]["key"])  # S3 sends the key URL-encoded
        outcome = process_upload(s3["bucket"]["name"], key)
        logger.info("upload processed", extra={"key": key, "outcome": outcome})
        outcomes.append({"key": key, "outcome": outcome})
    return {"processed": outcomes}
