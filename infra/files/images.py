"""What a photo says about itself (Pillow): size, a thumbnail, and the EXIF time and GPS
position (拍摄时间、位置). Decoding the thumbnail is also the check that the bytes are a readable
image: a truncated or corrupt one is refused.

EXIF times are the camera's local time; with an OffsetTimeOriginal tag that offset is used,
without one the county's zone (Asia/Shanghai). They are kept in UTC.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

from infra.clock import SHANGHAI
from infra.files.errors import Unreadable
from infra.files.kinds import Kind

try:  # HEIC/HEIF through libheif (the pillow-heif wheel)
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_READABLE = True
except ImportError:  # pragma: no cover - the dependency is installed with the project
    HEIF_READABLE = False

THUMBNAIL_EDGE = 320  # longest side, pixels
THUMBNAIL_QUALITY = 80
MAX_PIXELS = 60_000_000  # more than any phone photo: a decompression bomb, refused
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME, DATETIME_ORIGINAL, OFFSET_ORIGINAL = 0x0132, 0x9003, 0x9011


@dataclass(frozen=True)
class Examined:
    width: int | None = None
    height: int | None = None
    taken_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    thumbnail: bytes | None = None
    note: str | None = None


def examine(kind: Kind, reader: BinaryIO) -> Examined:
    """Size, EXIF time and position, and a JPEG thumbnail of an image (Unreadable if it is none)."""
    if kind.media_type in ("image/heic", "image/heif") and not HEIF_READABLE:
        return Examined(note="HEIC 照片已保存，但未安装 pillow-heif，无法生成缩略图或读取 EXIF")
    try:
        with Image.open(reader) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise Unreadable(f"图像为 {width}×{height} 像素，超过 {MAX_PIXELS:,} 像素上限，未保存")
            exif = image.getexif()
            taken_at, (latitude, longitude) = exif_time(exif), exif_position(exif)
            thumbnail = _thumbnail(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        raise Unreadable(f"文件开头是 {kind.name}，但不是可读取的 {kind.name} 图像（{type(e).__name__}）") from None
    return Examined(width, height, taken_at, latitude, longitude, thumbnail)


def _thumbnail(image: Image.Image) -> bytes:
    """At most THUMBNAIL_EDGE pixels a side, turned as the camera said, as JPEG. A JPEG is
    decoded at a reduced scale (draft), so a large photo is never decoded in full."""
    image.draft("RGB", (THUMBNAIL_EDGE * 2, THUMBNAIL_EDGE * 2))
    image.load()  # reads every byte: a truncated file fails here
    small = ImageOps.exif_transpose(image)
    small.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
    if small.mode not in ("RGB", "L"):
        rgba = small.convert("RGBA")
        small = Image.new("RGB", rgba.size, (255, 255, 255))
        small.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
    return out.getvalue()


def exif_time(exif: Image.Exif) -> datetime | None:
    """When the photo was taken (DateTimeOriginal, else DateTime), in UTC; None if absent or nonsense."""
    details = exif.get_ifd(EXIF_IFD)
    text = details.get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.strptime(text.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    zone = _offset(details.get(OFFSET_ORIGINAL)) or SHANGHAI
    return moment.replace(tzinfo=zone).astimezone(UTC)


def _offset(text: object) -> timezone | None:
    """An EXIF offset "+08:00" as a zone."""
    if not isinstance(text, str) or len(text.strip()) != 6 or text[0] not in "+-" or text[3] != ":":
        return None
    try:
        minutes = int(text[1:3]) * 60 + int(text[4:6])
    except ValueError:
        return None
    return timezone(timedelta(minutes=minutes if text[0] == "+" else -minutes))


def exif_position(exif: Image.Exif) -> tuple[float | None, float | None]:
    """GPS latitude and longitude in degrees (south and west negative), or (None, None)."""
    gps = exif.get_ifd(GPS_IFD)
    try:
        lat, lon = _degrees(gps[2]), _degrees(gps[4])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None, None
    if str(gps.get(1, "N")).upper().startswith("S"):
        lat = -lat
    if str(gps.get(3, "E")).upper().startswith("W"):
        lon = -lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return round(lat, 7), round(lon, 7)


def _degrees(dms: tuple) -> float:
    d, m, s = (float(x) for x in dms)
    return d + m / 60 + s / 3600
