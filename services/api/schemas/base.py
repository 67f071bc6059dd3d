"""What every request body shares: unknown fields refused (422 names them), bounded and printable
texts, business dates 1990–2099, whole days, and the answer to a write (`Written`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from domain.values import CONTROL_CHARS
from services.api import vocabularies as vocab  # issue 17 §6: closed vocabularies, enums with labels


def _printable(value: str) -> str:
    if CONTROL_CHARS.search(value):
        raise ValueError("含有控制字符")
    return value


Printable = AfterValidator(_printable)  # no control characters (in an Annotated text of any length)
Text = Annotated[str, Field(max_length=4000), AfterValidator(_printable)]
Short = Annotated[str, Field(max_length=200), AfterValidator(_printable)]
Ident = Annotated[str, Field(max_length=64), AfterValidator(_printable)]
Amount = Annotated[Decimal, Field(ge=0, le=Decimal("1e12"), allow_inf_nan=False)]
# Business dates and periods: 1990 (the earliest ledgers anyone migrates) to 2099.
Day = Annotated[date, Field(ge=date(1990, 1, 1), le=date(2099, 12, 31))]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Written(BaseModel):
    """每次写入的应答：记录的 id 和其事件在事件库中的位置（position，可用于 ?after= 等待读模型）。"""
    model_config = ConfigDict(from_attributes=True)
    id: str
    position: int


Days = Annotated[int, Field(strict=True)]  # whole days; the domain checks the range (422 in Chinese)
