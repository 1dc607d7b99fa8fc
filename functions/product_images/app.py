"""Product images (manager): a presigned upload per image, its status, then its alt text, order, removal.

The bytes never pass through here: the client POSTs them straight to S3, and the image
function checks them (see functions/images). An image shows on the product once ready.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from storefront.domain.catalog import images
from storefront.http.openapi import responses
from storefront.http.params import ImageId, Manager, ProductId
from storefront.http.resolver import http_handler, make_resolver
from storefront.http.responses import json_response, no_content
from storefront.models.catalog_images import (
    ProductImageCreate,
    ProductImageDetail,
    ProductImagePatch,
    ProductImageUpload,
)

app = make_resolver()

_TAGS = ["Catalog"]


@app.post(
    "/v1/products/<product_id>/images",
    summary="Start an image upload (manager)",
    description="Answers a presigned S3 POST for one JPEG, PNG or WebP file of at most 10 MiB, valid 5 minutes. "
    "The image shows on the product (by `position`) only once the uploaded bytes were checked to be that type.",
    tags=_TAGS,
    responses=responses(
        201,
        "Registered: upload the file with the presigned POST",
        errors={404: "Unknown or archived product", 409: f"The product already has {images.MAX_IMAGES} images"},
    ),
)
def create_image(product_id: ProductId, body: ProductImageCreate, principal: Manager) -> Response[ProductImageUpload]:
    upload = images.register_image(product_id, body.content_type, body.filename, body.alt)
    return json_response(ProductImageUpload.of(upload), 201)


@app.get(
    "/v1/products/<product_id>/images/<image_id>",
    summary="An image with its status (manager)",
    description="Any image of the product, whatever its status: `pending` until the uploaded bytes were checked, "
    "`ready`, or `failed` with its `failure_reason` (an upload that never arrives fails after an hour). "
    "Customers only ever see ready images, on the product.",
    tags=_TAGS,
    responses=responses(200, "The image", errors={404: "Unknown product or image"}),
)
def get_image(product_id: ProductId, image_id: ImageId, principal: Manager) -> Response[ProductImageDetail]:
    return json_response(ProductImageDetail.of(images.get_image(product_id, image_id)), private=True)


@app.patch(
    "/v1/products/<product_id>/images/<image_id>",
    summary="Change an image's alt text or position (manager)",
    description="`position` is a sort key: images are shown by position, then by id; other images never move.",
    tags=_TAGS,
    responses=responses(200, "The changed image", errors={404: "Unknown product or image"}),
)
def patch_image(
    product_id: ProductId, image_id: ImageId, body: ProductImagePatch, principal: Manager
) -> Response[ProductImageDetail]:
    return json_response(ProductImageDetail.of(images.update_image(product_id, image_id, body.changes())))


@app.delete(
    "/v1/products/<product_id>/images/<image_id>",
    summary="Remove an image (manager)",
    description="The image leaves the product and its files are deleted (CDN caches may serve them until they expire).",
    tags=_TAGS,
    responses=responses(204, "Deleted", errors={404: "Unknown product or image"}),
)
def delete_image(product_id: ProductId, image_id: ImageId, principal: Manager) -> Response[None]:
    images.delete_image(product_id, image_id)
    return no_content()


lambda_handler = http_handler(app)
