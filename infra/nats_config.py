"""Who may read what (订阅权限): a nats-server configuration with one user per subscriber.

A township office (乡镇·街道) reads only `hz.<its township>.>`, a sector regulator (行业主管部门)
only `hz.*.<its sector>.>`, and nobody but the administrator (the relay) may publish to `hz.>`.
A plain subscribe permission does not let a user consume from JetStream, so the pattern is:
the administrator creates one durable pull consumer per subscriber with its `filter_subject`
(`ensure_consumers`), and the subscriber's user may only ask that consumer for the next
messages, read its info and acknowledge its messages, and receive on `_INBOX.>`.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nats.js import api
from nats.js.errors import NotFoundError

from infra.nats_upstream import county_lines
from infra.subjects import PREFIX, REMINDER_STREAM, STREAM, token

ADMIN = "admin"
KINDS = ("township", "regulator")


@dataclass(frozen=True)
class Subscriber:
    kind: str   # "township" (scope: township code) or "regulator" (scope: sector slug)
    scope: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"subscriber kind must be one of {KINDS}, not {self.kind!r}")

    @property
    def name(self) -> str:
        """The user's name and its durable consumer's name, e.g. `regulator_chem`."""
        return f"{self.kind}_{token(self.scope)}"

    def filter_subject(self, prefix: str = PREFIX) -> str:
        if self.kind == "township":
            return f"{prefix}.{token(self.scope)}.>"
        return f"{prefix}.*.{token(self.scope)}.>"


def permissions(subscriber: Subscriber, stream: str = STREAM, prefix: str = PREFIX,
                reminder_stream: str = REMINDER_STREAM) -> dict:
    """Its consumer on the events stream and, with the same name and filter, on the reminders'
    stream (issue 14 §5; nats-server 2.10+)."""
    consumer = subscriber.name
    return {
        "publish": {
            "allow": [f"$JS.API.CONSUMER.{api}.{s}.{consumer}" for s in (stream, reminder_stream)
                      for api in ("MSG.NEXT", "INFO")]
                     + [f"$JS.ACK.{s}.{consumer}.>" for s in (stream, reminder_stream)],
            "deny": [f"{prefix}.>"],
        },
        "subscribe": {"allow": ["_INBOX.>"]},
    }


def render(subscribers: list[Subscriber], passwords: dict[str, str], *, listen: str,
           store_dir: Path, stream: str = STREAM, prefix: str = PREFIX,
           upstream: Any = None, node: list[str] | None = None) -> str:
    """The nats-server configuration text (JSON values inside NATS's config syntax).
    `upstream`: an `infra.nats_upstream.Upstream` — the county's JetStream domain and its
    leafnode to the city, which mirrors the stream (issue 16 §3). `node`: a cluster node's own
    lines (`infra.nats_cluster.cluster_lines`: name, JetStream folder, routes; issue 18 §3)."""
    users: list[dict[str, Any]] = [{"user": ADMIN, "password": passwords[ADMIN]}]
    users += [{"user": s.name, "password": passwords[s.name],
               "permissions": permissions(s, stream, prefix)} for s in subscribers]
    lines = [
        "# HazardLedger fan-out access, written by `hazard nats-config`.",
        f"# {ADMIN}: the relay and administration (creates the stream and the durable consumers).",
        *(f"# {s.name}: reads only {s.filter_subject(prefix)} through consumer {stream}/{s.name}"
          for s in subscribers),
        f"listen: {json.dumps(listen)}",
        *(node if node is not None else
          [f"jetstream {{ store_dir: {json.dumps(str(store_dir))} }}"] if upstream is None
          else county_lines(upstream, store_dir)),
        "authorization {",
        "  users: [",
        *(f"    {json.dumps(u, ensure_ascii=True)}" for u in users),
        "  ]",
        "}",
    ]
    return "\n".join(lines) + "\n"


ADMIN_PASSWORD_ENV = "HAZARD_NATS_ADMIN_PASSWORD"  # the administrator's password, when the operator sets it


def load_passwords(path: Path, names: list[str]) -> dict[str, str]:
    """Passwords kept beside the configuration; new users get new random ones."""
    known: dict[str, str] = {}
    if path.exists():
        known = {user: entry["password"] for user, entry in json.loads(path.read_text()).items()}
    given = {ADMIN: os.environ.get(ADMIN_PASSWORD_ENV, "")}  # docker-compose.yml: from the operator's .env
    return {name: given.get(name) or known.get(name) or secrets.token_urlsafe(18) for name in names}


def write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    path.chmod(0o600)


def credentials(subscribers: list[Subscriber], passwords: dict[str, str], *,
                stream: str = STREAM, prefix: str = PREFIX) -> dict[str, dict[str, str]]:
    entries = {ADMIN: {"password": passwords[ADMIN], "role": "relay and administration"}}
    for s in subscribers:
        entries[s.name] = {"password": passwords[s.name], "stream": stream, "consumer": s.name,
                           "filter_subject": s.filter_subject(prefix)}
    return entries


async def ensure_consumers(js: Any, subscribers: list[Subscriber], *, stream: str = STREAM,
                           prefix: str = PREFIX, reminder_stream: str | None = None) -> list[str]:
    """Create each subscriber's durable pull consumer (as the administrator) on the events
    stream, and on `reminder_stream` when given; returns the names created (`stream/name`
    for the reminders'). An existing consumer is left as it is: it remembers where its reader
    stopped."""
    created = await _consumers(js, subscribers, stream, prefix)
    if reminder_stream:
        created += [f"{reminder_stream}/{name}"
                    for name in await _consumers(js, subscribers, reminder_stream, prefix)]
    return created


async def _consumers(js: Any, subscribers: list[Subscriber], stream: str, prefix: str) -> list[str]:
    created = []
    for s in subscribers:
        try:
            await js.consumer_info(stream, s.name)
            continue
        except NotFoundError:
            pass
        await js.add_consumer(stream, api.ConsumerConfig(
            durable_name=s.name, filter_subject=s.filter_subject(prefix),
            deliver_policy=api.DeliverPolicy.ALL, ack_policy=api.AckPolicy.EXPLICIT,
            description=f"HazardLedger subscriber {s.name}"))
        created.append(s.name)
    return created
