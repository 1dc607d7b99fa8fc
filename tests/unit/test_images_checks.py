"""The image function's byte checks and variants, on tiny real images made in memory."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from storefront.domain.catalog import images
from storefront.domain.catalog.images import InvalidImage


def encoded(fmt: str, size: tuple[int, int] = (40, 30), mode: str = "RGB", **options: Any) -> bytes:
    out = io.BytesIO()
    colour: Any = {"RGB": (10, 120, 200), "RGBA": (10, 120, 200, 128), "1": 1}[mode]
    Image.new(mode, size, colour).save(out, fmt, **options)
    return out.getvalue()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize(
    ("content_type", "fmt"), [("image/png", "PNG"), ("image/jpeg", "JPEG"), ("image/webp", "WEBP")]
)
def test_variants_are_webp_at_most_their_width_when_the_bytes_are_the_declared_type(
    content_type: str, fmt: str
) -> None:
    variants = images.transcode(encoded(fmt, (2000, 1000)), content_type)

    assert sorted(variants) == [320, 1024]
    small, large = decoded(variants[320]), decoded(variants[1024])
    assert (small.format, small.size) == ("WEBP", (320, 160))
    assert (large.format, large.size) == ("WEBP", (1024, 512))


def test_small_images_are_never_enlarged_when_narrower_than_a_variant() -> None:
    variants = images.transcode(encoded("PNG", (40, 30)), "image/png")

    assert decoded(variants[1024]).size == (40, 30)


def test_transparency_is_kept_when_the_png_has_an_alpha_channel() -> None:
    variants = images.transcode(encoded("PNG", mode="RGBA"), "image/png")

    assert decoded(variants[320]).mode == "RGBA"


def test_orientation_is_applied_and_metadata_dropped_when_the_jpeg_has_exif() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "SecretCam"  # Make
    data = encoded("JPEG", (60, 20), exif=exif.tobytes())

    variant = decoded(images.transcode(data, "image/jpeg")[320])

    assert variant.size == (20, 60)
    assert not variant.getexif()
    assert "exif" not in variant.info
    assert "icc_profile" not in variant.info


def test_upload_is_rejected_when_it_is_a_text_file() -> None:
    with pytest.raises(InvalidImage):
        images.transcode(b"hello, I am not a picture\n" * 10, "image/png")


def test_upload_is_rejected_when_a_png_is_declared_as_jpeg() -> None:
    with pytest.raises(InvalidImage, match="PNG"):
        images.transcode(encoded("PNG"), "image/jpeg")


def test_upload_is_rejected_when_the_declared_type_is_not_accepted() -> None:
    with pytest.raises(InvalidImage):
        images.transcode(encoded("GIF"), "image/gif")


def test_upload_is_rejected_when_it_is_over_40_megapixels() -> None:
    # One colour compresses to a few kilobytes: a cheap stand-in for a decompression bomb.
    data = encoded("PNG", (8000, 5001), mode="1")
    assert len(data) < 100_000

    with pytest.raises(InvalidImage, match="pixels"):
        images.transcode(data, "image/png")


def test_upload_is_rejected_when_it_is_far_over_the_pixel_limit() -> None:
    # Over twice MAX_IMAGE_PIXELS Pillow itself refuses to open it.
    data = encoded("PNG", (10_000, 9_000), mode="1")

    with pytest.raises(InvalidImage):
        images.transcode(data, "image/png")


def test_upload_is_rejected_when_the_image_is_truncated() -> None:
    data = encoded("PNG", (300, 300))

    with pytest.raises(InvalidImage):
        images.transcode(data[: len(data) // 2], "image/png")
