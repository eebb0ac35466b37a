"""Images are judged by their bytes (never the name or the declared type), decoded within
limits that stop decompression bombs and huge dimensions, and published only as
re-encoded copies: WebP and JPEG in the sizes clients need, without EXIF (riders' photos
carry GPS positions) or any other metadata."""

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from media.validation import UploadRefused

# Formats as Pillow names them -> the content types they may be declared as.
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
MAX_SIDE = 8000
# A decoded image this size is ~160 MB in RGBA; anything larger is refused before decoding.
MAX_PIXELS = 40_000_000
QUALITY = 85


def decode(data: bytes, declared_type: str) -> Image.Image:
    """The image in `data`, fully decoded; `UploadRefused` for anything else."""
    with warnings.catch_warnings():
        # Pillow warns past MAX_IMAGE_PIXELS and raises past twice that: refuse at once.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise UploadRefused("unsupported_type", f"{image.format} images are not accepted.")
            if FORMATS[image.format] != declared_type:
                raise UploadRefused(
                    "type_mismatch",
                    f"The file is {FORMATS[image.format]}, not the {declared_type} announced.",
                )
            width, height = image.size
            if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
                raise UploadRefused("image_too_large", f"{width}x{height} is too large.")
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadRefused(
                "image_too_large", "The image decodes to too many pixels."
            ) from None
        except UnidentifiedImageError:
            raise UploadRefused("not_an_image", "The file is not an image.") from None
        except (OSError, SyntaxError, ValueError):
            raise UploadRefused("corrupt_image", "The image is truncated or damaged.") from None
    return image


def _upright(image: Image.Image) -> tuple[Image.Image, bool]:
    """The image with EXIF orientation applied and no metadata, and whether it has alpha."""
    upright = ImageOps.exif_transpose(image)
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    return upright.convert("RGBA" if has_alpha else "RGB"), has_alpha


def _jpeg(image: Image.Image, has_alpha: bool) -> bytes:
    flat = image
    if has_alpha:  # JPEG has no alpha: flatten on white
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
    out = io.BytesIO()
    flat.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def renditions(image: Image.Image, sizes: tuple[int, ...]) -> dict[str, bytes]:
    """`{"{size}.webp": …, "{size}.jpg": …}`: each size fits in a size x size square
    (never enlarged), upright (EXIF orientation applied), with no metadata."""
    base, has_alpha = _upright(image)
    published: dict[str, bytes] = {}
    for size in sizes:
        copy = base.copy()
        copy.thumbnail((size, size), Image.Resampling.LANCZOS)
        webp = io.BytesIO()
        copy.save(webp, "WEBP", quality=QUALITY, method=4)
        published[f"{size}.webp"] = webp.getvalue()
        published[f"{size}.jpg"] = _jpeg(copy, has_alpha)
    return published


def one_jpeg(image: Image.Image, side: int) -> bytes:
    """The image as one JPEG fitting a side x side square, upright, without metadata."""
    base, has_alpha = _upright(image)
    base.thumbnail((side, side), Image.Resampling.LANCZOS)
    return _jpeg(base, has_alpha)
