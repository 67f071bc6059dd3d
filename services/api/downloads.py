"""Exports as downloads: the one way a route hands a CSV / XLSX file to the browser, saved under
a Chinese name (RFC 6266 `filename*` in UTF-8, percent-encoded)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Response

from projections.export import MEDIA


def download(data: bytes, fmt: str, stem: str) -> Response:
    """`data` in format `fmt` (csv, xlsx), to be saved as `stem.fmt`."""
    return Response(data, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(f'{stem}.{fmt}')}"})
