"""Upward sync on NATS's own machinery (上报同步, issue 16 §3): the city's nats-server keeps a
copy of the county's `HAZARD_EVENTS` as a JetStream **mirror** across a leafnode link.

- The county's server gets a JetStream *domain* of its own (`hz<county code>`, e.g. `hz330226`)
  and a leafnode *remote*: it dials out to the city (counties sit behind firewalls; the city
  listens). Written into the county's `hazard nats-config` file (`county_lines`).
- The city's server listens for leafnodes (one user per county) under its own domain
  (`city_config`, written beside it for the city's administrator).
- On the city, a stream `HAZARD_EVENTS_<domain>` mirrors the county's stream through the
  county's JetStream API imported over the leafnode (`$JS.<domain>.API`) (`mirror_config`,
  `ensure_mirror`). A mirror keeps the county's sequence numbers and message ids: the copy is
  complete and in order by construction, and after a cut link the mirror resumes from its last
  sequence — NATS does the retrying, nothing of ours.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from nats.js import api
from nats.js.errors import NotFoundError

from infra.subjects import STREAM

_DOMAIN = re.compile(r"[A-Za-z0-9_-]{1,32}")


class UpstreamError(ValueError):
    """A leafnode URL or domain that cannot work (the message says which and why)."""


@dataclass(frozen=True)
class Upstream:
    """The county's side of the link: where the city listens and the names of both domains."""
    url: str           # nats-leaf://<county user>:<password>@city-host:7422
    domain: str        # the county's JetStream domain, e.g. hz330226
    city_domain: str   # the city's JetStream domain

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("nats-leaf", "nats", "tls") or not parts.hostname or not parts.port:
            raise UpstreamError(f"上级（市级）地址须为 nats-leaf://用户:密码@主机:端口，收到 {self.url!r}")
        for name, value in (("domain", self.domain), ("city_domain", self.city_domain)):
            if not _DOMAIN.fullmatch(value):
                raise UpstreamError(f"{name} 须为 1–32 个字母、数字、- 或 _，收到 {value!r}")
        if self.domain == self.city_domain:
            raise UpstreamError("县级与市级的 JetStream 域名不能相同")

    @property
    def user(self) -> str | None:
        return urlsplit(self.url).username

    @property
    def password(self) -> str | None:
        return urlsplit(self.url).password

    @property
    def leaf_port(self) -> int:
        return urlsplit(self.url).port or 7422

    @property
    def mirror_name(self) -> str:
        return mirror_name(self.domain)


def default_domain(county_code: str) -> str:
    return f"hz{county_code}"


def mirror_name(domain: str, stream: str = STREAM) -> str:
    return f"{stream}_{domain}"


def county_lines(upstream: Upstream, store_dir: Path) -> list[str]:
    """What the county's configuration adds: its JetStream domain and the leafnode to the city."""
    return [
        f"# 上报同步: this server dials the city at {urlsplit(upstream.url).hostname}:{upstream.leaf_port}; "
        f"the city mirrors {STREAM} as {upstream.mirror_name}",
        f"jetstream {{ store_dir: {json.dumps(str(store_dir))}, domain: {json.dumps(upstream.domain)} }}",
        f"leafnodes {{ remotes: [ {{ url: {json.dumps(upstream.url)} }} ] }}",
    ]


def city_config(upstream: Upstream, *, listen: str, store_dir: Path) -> str:
    """The city's side: a JetStream domain of its own and a leafnode listener (on the host of
    `listen`, the port of the county's URL) with the county's user."""
    leaf_listen = f"{listen.rsplit(':', 1)[0]}:{upstream.leaf_port}"
    auth = ""
    if upstream.user:
        auth = (f", authorization: {{ users: [ {json.dumps({'user': upstream.user, 'password': upstream.password})} ] }}")
    return "\n".join([
        f"# The city's nats-server for upward sync from {upstream.domain}, written by `hazard nats-config --upstream`.",
        f"# Create the mirror once it runs: hazard nats-config --create-mirror nats://<this server> --domain {upstream.domain}",
        f"listen: {json.dumps(listen)}",
        f"jetstream {{ store_dir: {json.dumps(str(store_dir))}, domain: {json.dumps(upstream.city_domain)} }}",
        f"leafnodes {{ listen: {json.dumps(leaf_listen)}{auth} }}",
    ]) + "\n"


def mirror_config(domain: str, stream: str = STREAM) -> api.StreamConfig:
    """The city's mirror of one county's stream, read through that county's domain."""
    return api.StreamConfig(
        name=mirror_name(domain, stream), description=f"HazardLedger {stream} of {domain} (mirror)",
        storage=api.StorageType.FILE,
        mirror=api.StreamSource(name=stream, external=api.ExternalStream(api=f"$JS.{domain}.API")))


async def ensure_mirror(js: Any, domain: str, stream: str = STREAM) -> str:
    """Create the mirror on the city's server if it is not there; answers its name."""
    config = mirror_config(domain, stream)
    try:
        await js.stream_info(config.name)
    except NotFoundError:
        await js.add_stream(config)
    return config.name
