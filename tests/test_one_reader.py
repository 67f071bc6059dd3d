"""One reader of the log (issue 12 §4): only infra/log_reader.py reads pages of the notification
log, decodes stored events and turns an event class into its aggregate and event names.

A source scan of domain/, infra/, projections/ and services/ (their syntax trees, so comments
and docstrings do not count) for
- a call of `….select_notifications(…)`   → use LogReader.page / pages / notifications;
- a call of `….to_domain_event(…)`         → use LogReader.decode (Logged.event, Logged.error);
- any use of `….__qualname__`              → use names_of / names_of_topic / Logged.kind.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("domain", "infra", "projections", "services")
THE_READER = "infra/log_reader.py"
CALLS = {"select_notifications", "to_domain_event"}


def offences(source: str) -> list[str]:
    """"line: what" for each read of the log, decoding or name parsing outside the reader."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CALLS:
            found.append(f"{node.lineno}: {node.func.attr}(…)")
        elif isinstance(node, ast.Attribute) and node.attr == "__qualname__":
            found.append(f"{node.lineno}: __qualname__")
    return found


def offenders() -> dict[str, list[str]]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name != THE_READER and (found := offences(path.read_text(encoding="utf-8"))):
                out[name] = found
    return out


def test_the_scan_finds_each_kind_of_offence():
    source = ("page = app.recorder.select_notifications(start=1, limit=10)\n"
              "event = app.mapper.to_domain_event(page[0])\n"
              "kind = type(event).__qualname__.split('.')[0]\n"
              "# select_notifications( in a comment is no call\n"
              "'''nor mapper.to_domain_event( or __qualname__ in a docstring'''\n")
    assert offences(source) == ["1: select_notifications(…)", "2: to_domain_event(…)", "3: __qualname__"]
    reader = offences((ROOT / THE_READER).read_text(encoding="utf-8"))  # the one place it all is
    assert {line.split(": ")[1] for line in reader} == {"select_notifications(…)", "to_domain_event(…)",
                                                         "__qualname__"}


def test_only_the_log_reader_reads_decodes_and_names_the_log():
    found = offenders()
    assert not found, "read, decode or name the log through infra/log_reader.py (LogReader, names_of):\n" + \
        "\n".join(f"  {name}  {', '.join(lines)}" for name, lines in sorted(found.items()))
