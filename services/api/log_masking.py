"""Logs carry no personal data (issue 10 §7): the one place where query strings are masked.

uvicorn's access log prints each request's path with its query string, percent-encoded, which
anyone can decode: `GET /api/v1/ledger?responsible_person=%E5%BC%A0%E4%B8%89` is a name. This
filter rewrites every query string in a log line (the record's message and its arguments):

- the value of a personal-data parameter becomes `***` (PERSONAL: the API's filters that can
  carry a person's name — `responsible_person`, `enterprise` (an enterprise's name, often a
  person's for a sole trader, 个体工商户) — the dashboard's `token`, and the usual names a
  client might send: `name`, `phone`, `contact`, …);
- any value that decodes to something holding a mainland mobile number becomes `***`;
- a mobile number anywhere else in the line (a path, a message of ours) becomes `***`.

`hazard serve` installs it on uvicorn's handlers and on the root logger's handlers
(`services/cli/serve.py`, in every process it starts), so every line it writes passes through it.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any
from urllib.parse import unquote_plus

MASK = "***"

PERSONAL = frozenset({
    "responsible_person", "responsible_phone", "enterprise", "token", "access_token",
    "name", "person", "phone", "mobile", "tel", "contact", "contact_phone", "id_card",
})

# a mainland mobile number (11 digits from 13–19), optionally +86 / 86 in front
MOBILE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d{9}(?!\d)")
# a query string inside a log line: after '?', up to whitespace, a quote or a fragment
QUERY = re.compile(r"\?([^\s\"'#]+)")


def mask_query(query: str) -> str:
    """`a=1&responsible_person=张三` → `a=1&responsible_person=***` (encoding kept elsewhere)."""
    parts = []
    for pair in query.split("&"):
        name, eq, value = pair.partition("=")
        if value and (unquote_plus(name).strip().lower() in PERSONAL or MOBILE.search(unquote_plus(value))):
            value = MASK
        parts.append(name + eq + value)
    return "&".join(parts)


def mask_text(text: str) -> str:
    """Every query string in `text` masked, then any mobile number left in it."""
    if "?" in text:
        text = QUERY.sub(lambda m: "?" + mask_query(m.group(1)), text)
    return MOBILE.sub(MASK, text)


class MaskPersonalData(logging.Filter):
    """A logging filter (on a handler or a logger) that masks a record before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_text(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: mask_text(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def install_on_root() -> None:
    """Mask every line the root logger's handlers write (our own loggers propagate there)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, MaskPersonalData) for f in handler.filters):
            handler.addFilter(MaskPersonalData())


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration with the mask on its handlers (access and errors)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["personal_data"] = {"()": f"{__name__}.MaskPersonalData"}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("personal_data")
    return config
