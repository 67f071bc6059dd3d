"""What a file is, by its content (magic bytes), never by its name; and whether that agrees
with what the upload declared (the part's Content-Type and the file name's extension).

Accepted (可接受): JPEG, PNG, WebP, HEIC/HEIF (photos) and PDF (documents).
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

from infra.files.errors import Mismatch, Unsupported


@dataclass(frozen=True)
class Kind:
    name: str          # for people: "JPEG"
    media_type: str    # stored and served as Content-Type
    extension: str     # for the served file name
    image: bool


JPEG = Kind("JPEG", "image/jpeg", "jpg", True)
PNG = Kind("PNG", "image/png", "png", True)
WEBP = Kind("WebP", "image/webp", "webp", True)
HEIC = Kind("HEIC", "image/heic", "heic", True)
HEIF = Kind("HEIF", "image/heif", "heif", True)
PDF = Kind("PDF", "application/pdf", "pdf", False)
ACCEPTED = (JPEG, PNG, WEBP, HEIC, HEIF, PDF)
ACCEPTED_NAMES = "JPEG、PNG、WebP、HEIC、PDF"
BY_MEDIA_TYPE = {k.media_type: k for k in ACCEPTED}

HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
HEIF_BRANDS = {b"mif1", b"msf1", b"heif"}
# the same type under other names (a claim of either agrees with the content)
ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/heif": "image/heic",
           "image/heic-sequence": "image/heic", "image/heif-sequence": "image/heic",
           "application/x-pdf": "application/pdf"}
NO_CLAIM = {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
EXTENSIONS = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "jpe": "image/jpeg", "jfif": "image/jpeg",
              "png": "image/png", "webp": "image/webp", "heic": "image/heic", "heif": "image/heic",
              "hif": "image/heic", "pdf": "application/pdf"}

# what else a file often is (only to name it in a refusal)
OTHERS = ((b"GIF87a", "GIF 图像 (image/gif)"), (b"GIF89a", "GIF 图像 (image/gif)"),
          (b"II*\x00", "TIFF 图像 (image/tiff)"), (b"MM\x00*", "TIFF 图像 (image/tiff)"),
          (b"BM", "BMP 图像 (image/bmp)"), (b"PK\x03\x04", "ZIP 压缩包（含 docx/xlsx）"),
          (b"\xd0\xcf\x11\xe0", "旧版 Office 文档（doc/xls）"), (b"Rar!", "RAR 压缩包"),
          (b"7z\xbc\xaf", "7z 压缩包"), (b"\x1f\x8b", "gzip 压缩数据"), (b"\x7fELF", "ELF 可执行文件"),
          (b"MZ", "Windows 可执行文件"), (b"<svg", "SVG 图像 (image/svg+xml)"),
          (b"<?xml", "XML 文本"), (b"<!DOCTYPE html", "HTML 文本"), (b"<html", "HTML 文本"))


@dataclass(frozen=True)
class Declared:
    """What the upload said it is: the part's Content-Type and its file name (either may be absent)."""

    content_type: str | None = None
    filename: str | None = None

    def claims(self) -> list[tuple[str, str]]:
        """(media type claimed, said by what) for each declaration that names a type."""
        out = []
        ctype = (self.content_type or "").split(";")[0].strip().lower()
        if ctype not in NO_CLAIM:
            out.append((ALIASES.get(ctype, ctype), "Content-Type"))
        if self.filename and "." in self.filename:
            ext = self.filename.rsplit(".", 1)[1].lower()
            guessed = EXTENSIONS.get(ext) or mimetypes.guess_type(f"x.{ext}")[0]
            if guessed:
                out.append((ALIASES.get(guessed, guessed), f"文件名 {_shown(self.filename)}"))
        return out


def _shown(text: str, limit: int = 80) -> str:
    """User text as it may appear in a message: printable, bounded."""
    clean = "".join(c if c.isprintable() else "?" for c in text)
    return clean if len(clean) <= limit else clean[:limit] + "…"


def _iso_brands(head: bytes) -> set[bytes] | None:
    """The major and compatible brands of an ISO base media file (HEIF, AVIF, MP4), else None."""
    if len(head) < 12 or head[4:8] != b"ftyp":
        return None
    box = int.from_bytes(head[:4], "big")
    end = min(max(box, 16), len(head))
    return {head[8:12]} | {head[i:i + 4] for i in range(16, end - 3, 4)}


def sniff(head: bytes) -> Kind | None:
    """The accepted kind the first bytes show, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    brands = _iso_brands(head)
    if brands is not None and b"avif" not in brands and head[8:12] != b"avif":
        if brands & HEIC_BRANDS:
            return HEIC
        if brands & HEIF_BRANDS:
            return HEIF
    if b"%PDF-" in head[:1024]:
        return PDF
    return None


def describe(head: bytes) -> str:
    """What a file of no accepted kind seems to be, for the refusal."""
    brands = _iso_brands(head)
    if brands is not None:
        return "AVIF 图像 (image/avif)" if b"avif" in brands else f"ISO 媒体文件（{head[8:12].decode('latin-1')}，如 MP4/MOV 视频）"
    if head[:4] == b"RIFF":
        return f"RIFF 文件（{head[8:12].decode('latin-1')}，如 WAV/AVI）"
    stripped = head.lstrip()
    for magic, name in OTHERS:
        if stripped[:len(magic)].lower() == magic.lower():
            return name
    if _looks_like_text(head):
        return "纯文本 (text/plain)"
    return f"未知二进制内容（开头 {head[:8].hex(' ')}）"


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as e:
            if e.start >= len(head) - 4:  # cut inside the last character
                return True
    return False


def identify(head: bytes, declared: Declared | None = None) -> Kind:
    """The accepted kind of the content, agreeing with every declaration that names a type;
    else Unsupported (415: names what was found) or Mismatch (422: names both)."""
    kind = sniff(head)
    claims = declared.claims() if declared else []
    said = "；".join(f"{by} 声明为 {media}" for media, by in claims)
    if kind is None:
        found = describe(head)
        raise Unsupported(found, f"文件内容是{found}，不是可接受的类型（{ACCEPTED_NAMES}）"
                                 + (f"；{said}" if said else ""))
    wrong = [(media, by) for media, by in claims if ALIASES.get(kind.media_type, kind.media_type) != media]
    if wrong:
        listed = "；".join(f"{by} 声明为 {media}" for media, by in wrong)
        raise Mismatch(f"文件内容是 {kind.name} ({kind.media_type})，与声明不符：{listed}")
    return kind
