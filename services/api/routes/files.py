"""Evidence files (证据文件): upload a photo or document, read it back, its thumbnail and facts.

- `POST /files` (multipart/form-data, field `file`): 201 `{sha256, size, media_type}`, also when
  the same bytes are already stored (one file; the answer does not tell whether anyone else had
  uploaded them). 413 over HAZARD_FILE_MAX_BYTES, 415 content of no accepted kind or a body that
  is not multipart, 422 an empty file, bytes unlike what the upload declared, or an unreadable
  image or PDF. Nothing is stored for any refusal.
- `GET /files/{sha256}`, `/thumbnail`, `/metadata`: for the parties that uploaded the file,
  the county-wide roles, and whoever may read a record citing it (`services.access.may_read_file`,
  `services.file_readers`); 404 for a hash no file has.
Served bytes carry a Content-Disposition made of the hash alone (no uploaded name is ever
echoed into a header), `X-Content-Type-Options: nosniff` and a sandboxing CSP.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from infra.auth import Principal
from infra.clock import local
from infra.files import Empty, FileMeta, FileStore, Mismatch, Refused, TooLarge, Unreadable, Unsupported
from infra.files.kinds import BY_MEDIA_TYPE
from services.access import Forbidden, check_role, may_read_file, party_of
from services.api.deps import principal
from services.api.json import JSON
from services.api.uploads import BadUpload, receive_file
from services.errors import NotFound
from services.file_readers import reads_a_record_citing

router = APIRouter(tags=["files"])
Sha256 = Annotated[str, Path(pattern="^[0-9a-fA-F]{64}$", description="文件的 SHA-256（64 位十六进制）")]
STATUS = {TooLarge: 413, Unsupported: 415, Empty: 422, Mismatch: 422, Unreadable: 422}


def _store(request: Request) -> FileStore:
    return request.app.state.files


UPLOAD_BODY = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": "JPEG、PNG、WebP、HEIC 照片或 PDF 文档（按内容判定）"}}}}}}
UPLOADED = {"type": "object", "required": ["sha256", "size", "media_type"], "properties": {
    "sha256": {"type": "string"}, "size": {"type": "integer"}, "media_type": {"type": "string"}}}


@router.post("/files", status_code=201, summary="上传证据文件（照片或文档）", name="file.upload",
             openapi_extra={"requestBody": UPLOAD_BODY},
             responses={201: {"content": {"application/json": {"schema": UPLOADED}}},
                        413: {"description": "文件过大"}, 415: {"description": "不可接受的文件类型"}})
async def upload(request: Request, who: Principal = Depends(principal)):
    check_role(who, "file.upload")
    try:
        spool, declared = await receive_file(request, request.app.state.file_max_bytes)
    except BadUpload as e:
        return _refusal(e.status, "file", e.message)
    except Refused as e:  # TooLarge while streaming
        return _refusal(STATUS[type(e)], "file", e.message)
    try:
        stored = await run_in_threadpool(_store(request).put, spool, party=party_of(who),
                                         actor=who.actor.id, declared=declared)
    except Refused as e:
        return _refusal(STATUS[type(e)], "file", e.message)
    finally:
        spool.close()
    return JSON(status_code=201, content=stored.as_dict())


def _refusal(status: int, field: str, message: str) -> JSON:
    error = {413: "too_large", 415: "unsupported_media_type"}.get(status, "invalid_input")
    return JSON(status_code=status, content={"error": error, "field": field, "message": f"{field}: {message}",
                                             "errors": [{"field": field, "message": message}]})


def _readable(request: Request, who: Principal, action: str, sha256: str) -> FileMeta:
    """The file's facts, once the holder may read it (404 unknown, 403 not theirs)."""
    check_role(who, action)
    store = _store(request)
    meta = store.metadata(sha256.lower())
    if meta is None:
        raise NotFound("文件", sha256)
    ledger = request.app.state.ledger
    if not may_read_file(who, store.parties(meta.sha256),
                         lambda: reads_a_record_citing(ledger, who, meta.sha256)):
        raise Forbidden(action, "只有上传该文件的单位、县级部门和可以查看引用该文件的记录的单位可以读取")
    return meta


def _headers(meta: FileMeta, suffix: str = "") -> dict[str, str]:
    kind = BY_MEDIA_TYPE.get(meta.media_type)
    extension = "jpg" if suffix else (kind.extension if kind else "bin")
    return {"Content-Disposition": f'inline; filename="{meta.sha256[:16]}{suffix}.{extension}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
            "Cache-Control": "private, max-age=3600", "ETag": f'"{meta.sha256}{suffix}"'}


@router.get("/files/{sha256}", summary="读取证据文件", name="file.read",
            response_class=StreamingResponse)
def read(request: Request, sha256: Sha256, who: Principal = Depends(principal)):
    meta = _readable(request, who, "file.read", sha256)
    return StreamingResponse(_store(request).open(meta.sha256), media_type=meta.media_type,
                             headers={**_headers(meta), "Content-Length": str(meta.size)})


@router.get("/files/{sha256}/thumbnail", summary="证据照片的缩略图", name="file.thumbnail",
            response_class=Response)
def thumbnail(request: Request, sha256: Sha256, who: Principal = Depends(principal)):
    meta = _readable(request, who, "file.thumbnail", sha256)
    image = _store(request).thumbnail(meta.sha256) if meta.has_thumbnail else None
    if image is None:
        return JSON(status_code=404, content={"error": "not_found",
                                              "message": f"文件 {meta.sha256} 没有缩略图：{meta.note or meta.media_type}"})
    return Response(image, media_type="image/jpeg", headers=_headers(meta, "-thumb"))


@router.get("/files/{sha256}/metadata", summary="证据文件的信息（拍摄时间、位置）", name="file.metadata")
def metadata(request: Request, sha256: Sha256, who: Principal = Depends(principal)) -> dict:
    meta = _readable(request, who, "file.metadata", sha256)
    position = (None if meta.latitude is None else
                {"latitude": meta.latitude, "longitude": meta.longitude})
    return {"sha256": meta.sha256, "size": meta.size, "media_type": meta.media_type,
            "stored_at": local(meta.stored_at), "width": meta.width, "height": meta.height,
            "taken_at": local(meta.taken_at) if meta.taken_at else None, "position": position,
            "thumbnail": meta.has_thumbnail, "note": meta.note}
