"""The fan-out's commands (分发): `hazard subscribe`, `hazard nats-config`, `hazard relay`.

`register(commands)` adds them to the `hazard` parser; `python -m services.cli.fanout …`
runs them on their own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from contextlib import closing
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import orjson

from infra.clock import SHANGHAI, parse_moment
from infra.nats import servers
from infra.reference import ReferenceData
from infra.subjects import PREFIX, STREAM
from services.runtime import Config, running


def register(commands: Any) -> None:
    """Add `subscribe`, `nats-config` and `relay` to the `hazard` subparsers."""
    _add_subscribe(commands)
    _add_nats_config(commands)
    _add_relay(commands)


def _stream_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stream", default=STREAM, help=f"JetStream stream (default {STREAM})")
    parser.add_argument("--prefix", default=PREFIX, help=f"subject prefix (default {PREFIX})")


def _add_subscribe(commands: Any) -> None:
    p = commands.add_parser("subscribe", help="print events from the NATS fan-out as they arrive")
    p.add_argument("--township", help="only this township (乡镇·街道) code, e.g. 330226011")
    p.add_argument("--sector", help="only this sector (行业), e.g. chem")
    start = p.add_mutually_exclusive_group()
    start.add_argument("--from-seq", type=int, help="replay from this stream sequence number")
    start.add_argument("--since", help="replay from this moment (a date means its start, Shanghai)")
    p.add_argument("--durable", help="durable consumer name: resume where it stopped last time")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--limit", type=int, help="exit after this many events")
    _stream_options(p)
    p.set_defaults(run=_subscribe)


def _add_nats_config(commands: Any) -> None:
    p = commands.add_parser("nats-config", help="write a nats-server configuration, a user per subscriber")
    p.add_argument("--township", action="append", default=[], help="a township office (repeatable)")
    p.add_argument("--regulator", action="append", default=[], metavar="SECTOR",
                   help="a sector regulator (repeatable)")
    p.add_argument("--all", action="store_true", help="every township and sector of the county")
    p.add_argument("--out", help="configuration file (default <data>/nats-access/nats.conf)")
    p.add_argument("--listen", default="127.0.0.1:4222", help="host:port for nats-server")
    p.add_argument("--store-dir", help="JetStream folder (default beside the configuration)")
    # upward sync (上报同步, issue 16 §3): the city mirrors the stream over a leafnode
    p.add_argument("--upstream", metavar="URL",
                   help="上报同步：市级服务器的叶节点地址 nats-leaf://用户:密码@主机:7422；本县服务器主动连接，"
                        "市级以镜像保存本县的事件流（另写出市级配置 city-upstream.conf）")
    p.add_argument("--domain", help="本县的 JetStream 域名（默认 hz<县代码>）")
    p.add_argument("--city-domain", default="city", help="市级的 JetStream 域名（默认 city）")
    p.add_argument("--city-listen", default="0.0.0.0:4222", help="市级服务器的客户端监听地址（写入市级配置）")
    # a three-node JetStream cluster (issue 18 §3): one configuration per node beside --out
    p.add_argument("--cluster", type=int, metavar="N",
                   help="JetStream 集群：写出 N 个节点（3 或 5）的配置 <out>-hz-1.conf …；服务端设 "
                        "HAZARD_NATS_REPLICAS=N 后事件流以 N 个副本创建")
    p.add_argument("--cluster-host", default="127.0.0.1",
                   help="集群节点监听的主机：一个（各节点端口不同），或逗号分隔每节点一个（如 nats-1,nats-2,nats-3，"
                        "docker-compose.yml 的三个容器，端口可相同）")
    p.add_argument("--client-ports", default="4222,4223,4224", help="各节点的客户端端口（逗号分隔）")
    p.add_argument("--route-ports", default="6222,6223,6224", help="各节点的集群路由端口（逗号分隔）")
    p.add_argument("--create-mirror", metavar="CITY_URL",
                   help="在市级服务器上建立本县事件流的镜像（仅此一步；以 --domain 指明哪个县）")
    p.add_argument("--create-consumers", action="store_true",
                   help="also create the stream and each subscriber's durable consumer "
                        "(connects to NATS_URL as the administrator)")
    _stream_options(p)
    p.set_defaults(run=_nats_config)


def _add_relay(commands: Any) -> None:
    p = commands.add_parser("relay", help="run the relay alone: event store → NATS JetStream")
    p.add_argument("--batch-size", type=int, default=500)
    _stream_options(p)
    p.set_defaults(run=_relay)


# --- hazard subscribe -------------------------------------------------------------------------
def _subscribe(args: argparse.Namespace, config: Config) -> int:
    from infra.nats import NatsUnavailable
    from infra.subscriber import Interest

    try:
        url = config.nats_url()
        since = _since(args.since) if args.since else None
    except (NatsUnavailable, ValueError) as e:
        print(f"hazard subscribe: {e}", file=sys.stderr)
        return 2
    interest = Interest(township=args.township, sector=args.sector, from_seq=args.from_seq,
                        since=since, durable=args.durable, stream=args.stream, prefix=args.prefix)
    return asyncio.run(_follow(url, interest, args, config.reference))


def _since(value: str) -> datetime:
    """A date means the start of that day in Asia/Shanghai; a datetime as `parse_moment` reads it."""
    value = value.strip()
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), time.min, SHANGHAI).astimezone(UTC)
    return parse_moment(value)


async def _follow(url: str, interest: Any, args: argparse.Namespace, reference: ReferenceData) -> int:
    import nats

    from infra.subscriber import messages, open_consumer

    stopping = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stopping.set)
    nc = await _connect(url)
    if nc is None:
        return 1
    try:
        try:
            sub, note = await open_consumer(nc.jetstream(), interest)
        except (TimeoutError, nats.errors.Error) as e:
            print(f"hazard subscribe: cannot read stream {interest.stream} ({e!r}); is the relay "
                  "running, and may this user use that consumer?", file=sys.stderr)
            return 1
        if note:
            print(f"hazard subscribe: {note}", file=sys.stderr)
        print(f"hazard subscribe: {interest.subject} on stream {interest.stream}"
              + (f", durable {interest.durable}" if interest.durable else ""), file=sys.stderr)
        async for msg in messages(sub, stopping, limit=args.limit):
            _print_event(msg, args.json, reference)
            await msg.ack()
    finally:
        await nc.close()
    return 0


async def _connect(url: str) -> Any:
    """A connection that reconnects while it runs; None (said why) if NATS is not there."""
    import nats

    said: set[str] = set()

    async def on_error(e: Exception) -> None:  # one line per kind of trouble, not a traceback
        if repr(e) not in said:
            said.add(repr(e))
            print(f"hazard subscribe: NATS: {e!r}", file=sys.stderr)

    try:  # nats-py retries a first connection for ever: give up after a while
        return await asyncio.wait_for(nats.connect(servers(url), name="hazard-subscribe", error_cb=on_error,
                                                   max_reconnect_attempts=-1), 10)
    except (TimeoutError, asyncio.TimeoutError, OSError, nats.errors.Error) as e:
        print(f"hazard subscribe: cannot reach NATS at {url.split('@')[-1]}: {e!r}", file=sys.stderr)
        return None


def _print_event(msg: Any, as_json: bool, reference: ReferenceData) -> None:
    body = orjson.loads(msg.data)
    if as_json:
        line = {"subject": msg.subject, "stream_seq": msg.metadata.sequence.stream, **body}
        sys.stdout.buffer.write(orjson.dumps(line) + b"\n")
    else:
        sys.stdout.write(readable_line(body, reference) + "\n")
    sys.stdout.flush()


_NOT_SHOWN = {"township", "sector"}  # already in the line; ids are in --json


def readable_line(body: dict, reference: ReferenceData) -> str:
    """One event as a line for people, e.g.
    `#42  2026-06-30 10:15:02+08:00  隐患上报  西店镇·危险化学品  李工（中介机构）  隐患 1a2b3c4d  等级：重大隐患 …`
    (fields by their Chinese names, codes as labels: projections/field_labels.py)."""
    from domain.actor import ROLE_NAMES_ZH
    from projections.field_labels import RECORD_KINDS, describe
    from projections.labels import event_label

    if body["type"] == "AuditCheckpoint":
        return f"审计链头  截至事件 #{body['position']}  哈希 {body['chain']}  （{body['time'][:19]}）"
    township, sector = body.get("township"), body.get("sector")
    where = "·".join(name for name in (reference.townships.get(township, township),
                                       reference.sectors.get(sector, sector)) if name)
    actor = body.get("actor") or {}
    role = actor.get("role", "")
    who = f"{actor.get('name', '-')}（{ROLE_NAMES_ZH.get(role, role or '-')}）"
    moment = datetime.fromisoformat(body["time"]).astimezone(SHANGHAI).isoformat(sep=" ", timespec="seconds")
    shown = {k: v for k, v in body.get("data", {}).items() if k not in _NOT_SHOWN and not k.endswith("_id")}
    data = "  ".join(f"{k}：{v}" for k, v in describe(shown, reference=reference) if v != "—")
    kind = body["aggregate_type"]
    step = event_label(kind, body["type"][len(kind) + 1:])
    line = (f"#{body['position']}  {moment}  {step}  {where or '—'}  {who}  "
            f"{RECORD_KINDS.get(kind, kind)} {body['aggregate_id'][:8]}  {data}")
    return line if len(line) <= 240 else line[:237] + "..."


# --- hazard nats-config -----------------------------------------------------------------------
def _nats_config(args: argparse.Namespace, config: Config) -> int:
    from infra.nats_config import (ADMIN, Subscriber, credentials, load_passwords, render,
                                   write_private)
    from infra.nats_upstream import Upstream, UpstreamError, default_domain

    reference = config.reference
    domain = args.domain or default_domain(reference.county_code)
    if args.create_mirror:
        return _create_mirror(args.create_mirror, domain, args.stream)
    try:
        upstream = Upstream(args.upstream, domain, args.city_domain) if args.upstream else None
    except UpstreamError as e:
        print(f"hazard nats-config: {e}", file=sys.stderr)
        return 2
    townships = list(reference.townships) if args.all else args.township
    sectors = list(reference.sectors) if args.all else args.regulator
    unknown = [t for t in townships if t not in reference.townships] + \
              [s for s in sectors if s not in reference.sectors]
    if unknown or not (townships or sectors):
        print("hazard nats-config: " + (f"unknown township or sector: {', '.join(unknown)}" if unknown
              else "name at least one --township or --regulator (or --all)"), file=sys.stderr)
        return 2
    subscribers = [Subscriber("township", t) for t in townships] + \
                  [Subscriber("regulator", s) for s in sectors]
    out = Path(args.out) if args.out else config.settings.data_dir / "nats-access" / "nats.conf"
    secrets_file = out.with_name(out.stem + ".credentials.json")
    passwords = load_passwords(secrets_file, [ADMIN] + [s.name for s in subscribers])
    store = Path(args.store_dir) if args.store_dir else out.parent / "jetstream"
    if args.cluster:
        return _write_cluster(args, out, subscribers, passwords, write_private, render)
    write_private(out, render(subscribers, passwords, listen=args.listen, store_dir=store.resolve(),
                              stream=args.stream, prefix=args.prefix, upstream=upstream))
    if upstream is not None:
        _write_city(upstream, out.with_name("city-upstream.conf"), args.city_listen, write_private)
    entries = credentials(subscribers, passwords, stream=args.stream, prefix=args.prefix)
    write_private(secrets_file, json.dumps(entries, ensure_ascii=False, indent=2) + "\n")
    print(f"nats-server configuration: {out}   (run: nats-server -c {out})")
    print(f"passwords: {secrets_file} (mode 600)")
    for s in subscribers:
        print(f"  {s.name:<24} reads {s.filter_subject(args.prefix):<22} via consumer {args.stream}/{s.name}")
    if args.create_consumers:
        return _create_consumers(config, subscribers, args)
    return 0


def _write_cluster(args: argparse.Namespace, out: Path, subscribers: list, passwords: dict,
                   write: Any, render: Any) -> int:
    """One configuration per node of a JetStream cluster, the subscribers' users on each."""
    import json

    from infra.nats_cluster import client_urls, cluster_lines, nodes
    from infra.nats_config import credentials

    try:
        if args.upstream:
            raise ValueError("--cluster 与 --upstream 不能同时使用（先建集群，再为集群配置上报）")
        hosts = [h.strip() for h in args.cluster_host.split(",") if h.strip()]
        members = nodes(args.cluster, hosts, _ports(args.client_ports, args.cluster),
                        _ports(args.route_ports, args.cluster))
    except ValueError as e:
        print(f"hazard nats-config: {e}", file=sys.stderr)
        return 2
    for node in members:
        path = out.with_name(f"{out.stem}-{node.name}.conf")
        base = Path(args.store_dir) if args.store_dir else out.parent.resolve()  # as the nodes see it
        lines = cluster_lines(node, members, base / f"jetstream-{node.name}")
        write(path, render(subscribers, passwords, listen=node.listen, store_dir=out.parent,
                           stream=args.stream, prefix=args.prefix, node=lines))
        print(f"节点 {node.name}: {path}   (run: nats-server -c {path})")
    secrets_file = out.with_name(out.stem + ".credentials.json")
    entries = credentials(subscribers, passwords, stream=args.stream, prefix=args.prefix)
    write(secrets_file, json.dumps(entries, ensure_ascii=False, indent=2) + "\n")
    print(f"passwords: {secrets_file} (mode 600)")
    print(f"服务端：NATS_URL={client_urls(members)}  HAZARD_NATS_REPLICAS={len(members)}")
    return 0


def _ports(text: str, count: int) -> list[int]:
    ports = [int(p) for p in text.split(",") if p.strip().isdigit()]
    defaults = {"4222,4223,4224": 4222, "6222,6223,6224": 6222}
    if len(ports) == 3 and count == 5 and text in defaults:  # the defaults, for five nodes
        ports = [defaults[text] + i for i in range(5)]
    return ports


def _write_city(upstream: Any, path: Path, listen: str, write: Any) -> None:
    from infra.nats_upstream import city_config

    write(path, city_config(upstream, listen=listen, store_dir=(path.parent / "city-jetstream").resolve()))
    print(f"上报同步：本县 JetStream 域 {upstream.domain}，连接市级 {upstream.url.split('@')[-1]}；"
          f"市级配置 {path}（mode 600，交市级管理员），市级镜像流 {upstream.mirror_name}")


def _create_mirror(city_url: str, domain: str, stream: str) -> int:
    from infra.nats_upstream import ensure_mirror

    async def create() -> str:
        import nats

        nc = await nats.connect(city_url, name="hazard-nats-config", max_reconnect_attempts=0)
        try:
            return await ensure_mirror(nc.jetstream(), domain, stream)
        finally:
            await nc.close()

    try:
        name = asyncio.run(create())
    except (OSError, TimeoutError) as e:
        print(f"hazard nats-config: 无法连接市级服务器 {city_url}：{e!r}", file=sys.stderr)
        return 1
    print(f"市级镜像流 {name}：镜像 {domain} 的 {stream}")
    return 0


def _create_consumers(config: Config, subscribers: list, args: argparse.Namespace) -> int:
    from infra.nats import NatsUnavailable
    from infra.nats_config import ensure_consumers
    from infra.publisher import ensure_reminder_stream, ensure_stream, splits_streams
    from infra.subjects import REMINDER_STREAM

    async def create(url: str) -> list[str]:
        import nats

        nc = await nats.connect(servers(url), name="hazard-nats-config")
        try:
            js = nc.jetstream()
            split = splits_streams(nc)  # nats-server 2.10+: reminders in a stream of their own
            await ensure_stream(js, args.stream, args.prefix, split=split)
            reminders = None
            if split and args.stream == STREAM:
                reminders = REMINDER_STREAM
                await ensure_reminder_stream(js, reminders, args.prefix, events_stream=args.stream)
            return await ensure_consumers(js, subscribers, stream=args.stream, prefix=args.prefix,
                                          reminder_stream=reminders)
        finally:
            await nc.close()

    try:
        created = asyncio.run(create(config.nats_url()))
    except (NatsUnavailable, OSError) as e:
        print(f"hazard nats-config: {e}", file=sys.stderr)
        return 1
    print(f"durable consumers created: {', '.join(created) or 'none (all existed)'}")
    return 0


# --- hazard relay -----------------------------------------------------------------------------
def _relay(args: argparse.Namespace, config: Config) -> int:
    from infra.relay import Relay, open_reader

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    with running(config) as rt, closing(open_reader(rt.env)) as reader, config.broker() as broker:
        relay = Relay(reader, broker.address, stream=args.stream, prefix=args.prefix,
                      batch_size=args.batch_size)
        print(f"relay: {rt.database.describe()} → {broker.describe()}, stream {args.stream}",
              flush=True)
        asyncio.run(_until_signal(relay))
        print(f"relay stopped at position {relay.stats.position}", flush=True)
    return 0


async def _until_signal(relay: Any) -> None:
    stopping = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stopping.set)
    await relay.run(stopping)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hazard", description="HazardLedger fan-out commands")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args, Config()) or 0


if __name__ == "__main__":
    sys.exit(main())
