"""Deciding whether a spooled file is evidence the store keeps (收件检查): not empty, of an
accepted kind by its content, agreeing with what the upload declared, and readable as that kind.
The same for every engine, so it lives outside them."""

from __future__ import annotations

from infra.files.errors import Empty, Unreadable
from infra.files.images import Examined, examine
from infra.files.kinds import PDF, Declared, Kind, identify
from infra.files.spool import Spool

PDF_TAIL = 1024  # readers look for %%EOF in the last KiB


def accept(spool: Spool, declared: Declared | None = None) -> tuple[Kind, Examined]:
    """The kind and what the content says of itself; raises a `Refused` otherwise."""
    if spool.size == 0:
        raise Empty()
    kind = identify(spool.head, declared)
    if kind.image:
        return kind, examine(kind, spool.reader())
    if kind is PDF and b"%%EOF" not in spool.tail(PDF_TAIL):
        raise Unreadable("PDF 文件不完整（末尾没有 %%EOF），可能上传中断，未保存")
    return kind, Examined(note="PDF 文档没有缩略图")
