"""Receiving one evidence file over HTTP: a multipart/form-data body with one part, `file`,
parsed as it streams (python-multipart) straight into a `Spool` — hashed and counted on the way,
stopped at the size limit — so the file is never whole in memory.

The body reaches this parser unread: RequestGuard (middleware.py) streams the upload route's
body instead of reading it whole, bounded by `body_limit(file_limit)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import python_multipart
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from infra.files import Declared, Spool

FIELD = "file"
MULTIPART_SLACK = 64 * 1024  # a body may exceed its file by the multipart boundaries and headers
MAX_PART_HEADERS = 8 * 1024


def body_limit(file_limit: int) -> int:
    """The most bytes an upload's body may hold."""
    return file_limit + MULTIPART_SLACK


class BadUpload(Exception):
    """Not one file in the field `file` of a multipart/form-data body."""

    def __init__(self, message: str, *, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: bytes = b""
    value: bytes = b""


class _Receiver:
    """python-multipart's callbacks: the `file` part's bytes go to the spool, as they come."""

    def __init__(self, limit: int) -> None:
        self.spool = Spool(limit)
        self.declared: Declared | None = None
        self.files = 0
        self.part = _Part()
        self.pending: list[bytes] = []  # the file's bytes of one network read, written after it
        self.in_file = False

    def on_part_begin(self) -> None:
        self.part = _Part()
        self.in_file = False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.part.name += data[start:end]
        self._bounded()

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.part.value += data[start:end]
        self._bounded()

    def on_header_end(self) -> None:
        self.part.headers[self.part.name.lower()] = self.part.value
        self.part.name, self.part.value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.part.headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if name != FIELD:
            raise BadUpload(f"只接受一个字段 {FIELD}（文件），收到字段 {name[:40]!r}")
        self.files += 1
        if self.files > 1:
            raise BadUpload(f"一次只能上传一个文件（字段 {FIELD} 出现多次）")
        filename = options.get(b"filename")
        self.declared = Declared(
            content_type=self.part.headers.get(b"content-type", b"").decode("latin-1") or None,
            filename=filename.decode("utf-8", "replace") if filename else None)
        self.in_file = True

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.in_file:
            self.pending.append(data[start:end])

    def on_part_end(self) -> None:
        self.in_file = False

    def _bounded(self) -> None:
        if len(self.part.name) + len(self.part.value) > MAX_PART_HEADERS:
            raise BadUpload("multipart 分段头过长")

    def callbacks(self) -> dict:
        return {k: getattr(self, k) for k in (
            "on_part_begin", "on_header_field", "on_header_value", "on_header_end",
            "on_headers_finished", "on_part_data", "on_part_end")}


async def receive_file(request: Request, limit: int) -> tuple[Spool, Declared | None]:
    """The `file` part of the request spooled (close the spool), and what it declared;
    BadUpload (415 not multipart, 422 otherwise) or TooLarge past `limit`."""
    ctype, options = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or b"boundary" not in options:
        raise BadUpload(f"请求须为 multipart/form-data，文件放在字段 {FIELD} 中", status=415)
    receiver = _Receiver(limit)
    try:
        parser = python_multipart.MultipartParser(options[b"boundary"], receiver.callbacks())
        async for data in request.stream():
            parser.write(data)
            for block in receiver.pending:
                if receiver.spool.on_disk:
                    await run_in_threadpool(receiver.spool.write, block)
                else:
                    receiver.spool.write(block)
            receiver.pending.clear()
        parser.finalize()
        if receiver.files == 0:
            raise BadUpload(f"缺少字段 {FIELD}（multipart/form-data 中的文件）")
    except FormParserError:
        receiver.spool.close()
        raise BadUpload("multipart/form-data 格式错误") from None
    except BaseException:
        receiver.spool.close()
        raise
    return receiver.spool, receiver.declared
