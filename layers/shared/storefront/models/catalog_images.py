"""API models of the product image routes. Their descriptions become the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StrictInt, StrictStr

from storefront.domain.catalog.entities import ImageRecord
from storefront.domain.catalog.images import MAX_UPLOAD_BYTES, UPLOAD_EXPIRES_S, Upload, image_url
from storefront.events.base import rfc3339
from storefront.models.base import ApiModel
from storefront.models.patches import NotNull
from storefront.models.text_fields import Text

Alt = Annotated[StrictStr, Text(500, "Alternative text, at most 500 characters", min_length=0)]
Position = Annotated[
    StrictInt,
    Field(ge=0, le=10_000, description="Sort key among the product's images: ties are ordered by id"),
]


class ProductImageCreate(ApiModel):
    model_config = ConfigDict(extra="forbid")

    content_type: Literal["image/jpeg", "image/png", "image/webp"] = Field(
        description="The type of the file to upload: the uploaded bytes must be exactly this type"
    )
    filename: Annotated[StrictStr, Text(200, "The file's original name (kept for staff; never part of a URL)")]
    alt: Alt | None = None


class ProductImagePatch(ApiModel):
    model_config = ConfigDict(extra="forbid")

    alt: Alt | None = None
    position: Annotated[Position | None, NotNull] = None

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class ImageUploadForm(ApiModel):
    url: str = Field(description="The form's action: POST the fields, then the file (named `file`), as multipart")
    fields: dict[str, str] = Field(
        description=f"Form fields to send as they are; the upload must be 1 byte to {MAX_UPLOAD_BYTES} bytes, "
        f"of the declared Content-Type, within {UPLOAD_EXPIRES_S} s"
    )


class ProductImageUpload(ApiModel):
    image_id: str = Field(description="The new image's id; it shows on the product once its bytes were checked")
    upload: ImageUploadForm = Field(description="A presigned S3 POST")
    url: str = Field(description="Where the image will be served (CDN, 1024 px wide WebP)")

    @classmethod
    def of(cls, upload: Upload) -> ProductImageUpload:
        form = ImageUploadForm(url=upload.url, fields=upload.fields)
        return cls(image_id=upload.image.id, upload=form, url=upload.image_url)


class ProductImageDetail(ApiModel):
    id: str = Field(description="The image id")
    url: str = Field(description="CDN URL of the 1024 px wide WebP variant")
    alt: str | None = Field(description="Alternative text")
    position: int = Field(description="Sort key among the product's images (ties by id)")
    status: Literal["pending", "ready", "failed"] = Field(
        description="pending until the upload was checked; failed ones are never shown"
    )
    failure_reason: str | None = Field(
        description="Why the upload was refused (or that it never arrived); null unless `failed`"
    )
    content_type: str = Field(description="The declared type, which the uploaded bytes had to be")
    filename: str = Field(description="The file's original name")
    created_at: str = Field(description="When the upload was requested: RFC 3339, UTC")
    updated_at: str = Field(description="The last change (its check included): RFC 3339, UTC")

    @classmethod
    def of(cls, image: ImageRecord) -> ProductImageDetail:
        return cls(
            id=image.id,
            url=image_url(image),
            alt=image.alt,
            position=image.position,
            status=image.status,
            failure_reason=image.failure_reason,
            content_type=image.content_type,
            filename=image.filename,
            created_at=rfc3339(image.created_at),
            updated_at=rfc3339(image.updated_at),
        )
