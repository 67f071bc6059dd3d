"""The columns an office's ledger (隐患台账) keeps, their Chinese header names, and the map
(`--map COLUMN=HEADER`) for other header names. A header that maps to no column is an error."""

from __future__ import annotations

import re

from domain.errors import InvalidValue

# column → (its Chinese name, the header names it is recognised by)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "credit_code": ("统一社会信用代码", ("统一社会信用代码", "信用代码", "社会信用代码")),
    "enterprise": ("企业名称", ("企业名称", "单位名称", "生产经营单位", "企业")),
    "township": ("乡镇（街道）", ("乡镇（街道）", "乡镇(街道)", "乡镇街道", "乡镇", "街道", "所属乡镇")),
    "sector": ("行业", ("行业", "所属行业", "行业类别")),
    "found_on": ("发现日期", ("发现日期", "排查日期", "检查日期")),
    "description": ("隐患描述", ("隐患描述", "隐患内容", "存在问题", "隐患情况")),
    "level": ("隐患等级", ("隐患等级", "等级", "隐患级别")),
    "category": ("隐患类别", ("隐患类别", "类别", "隐患类型")),
    "responsible": ("责任人", ("责任人", "整改责任人")),
    "deadline": ("整改期限", ("整改期限", "整改时限", "限期")),
    "rectified_on": ("整改完成日期", ("整改完成日期", "整改完成时间", "完成日期")),
    "funds": ("整改资金", ("整改资金", "整改资金（元）", "整改资金(元)", "整改投入")),
    "reviewed": ("是否复查/复查日期", ("是否复查", "复查日期", "复查情况", "是否复查/复查日期")),
    "closed_on": ("销号日期", ("销号日期", "销号时间")),
    "document_no": ("文号", ("文号", "文书编号", "销号文号")),
}
REQUIRED = ("credit_code", "found_on", "description", "level", "category")
_SPACE = re.compile(r"\s+")


def _norm(header: str) -> str:
    return _SPACE.sub("", str(header or "")).replace("(", "（").replace(")", "）")


KNOWN = {_norm(h): col for col, (_, names) in COLUMNS.items() for h in names}


def parse_map(entries: list[str]) -> dict[str, str]:
    """`COLUMN=HEADER` pairs → header → column; a column not in COLUMNS is refused."""
    mapping = {}
    for entry in entries:
        column, sep, header = entry.partition("=")
        column = column.strip()
        if not sep or not header.strip():
            raise InvalidValue("--map", f"列映射 {entry!r} 应写作 列名=表头，例如 found_on=排查时间")
        if column not in COLUMNS:
            names = "、".join(f"{c}（{n}）" for c, (n, _) in COLUMNS.items())
            raise InvalidValue("--map", f"列映射 {entry!r} 中的列名 {column!r} 不存在，可选：{names}")
        mapping[_norm(header)] = column
    return mapping


def resolve(headers: list[str], mapping: dict[str, str]) -> tuple[dict[int, str], list[str]]:
    """Each header's position → its column, and the errors: headers that map to no column,
    a column named twice, a required column missing. Blank headers (trailing cells) are ignored."""
    found: dict[int, str] = {}
    errors: list[str] = []
    for i, header in enumerate(headers):
        key = _norm(header)
        if key in ("", "序号", "编号"):
            continue
        column = mapping.get(key) or KNOWN.get(key)
        if column is None:
            errors.append(f"表头第 {i + 1} 列“{str(header)[:40]}”不对应任何已知列（可用 --map 列名=表头 指定）")
        elif column in found.values():
            errors.append(f"表头第 {i + 1} 列“{str(header)[:40]}”与前面的列重复（{COLUMNS[column][0]}）")
        else:
            found[i] = column
    for column in REQUIRED:
        if column not in found.values():
            errors.append(f"缺少必需的列：{COLUMNS[column][0]}")
    return found, errors
