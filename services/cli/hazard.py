"""The `hazard` command: its parser (every subcommand) and `token`, `history`, `audit verify`.

Each subcommand's `run(args, config)` gets the `services.runtime.Config` read here once.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

import orjson

from domain.actor import ROLE_NAMES_ZH, Role
from infra.clock import parse_moment

if TYPE_CHECKING:
    from services.runtime import Config

SCOPE_NEEDED = {Role.TOWNSHIP: "township", Role.REGULATOR: "sector", Role.AGENCY: "agency",
                Role.ENTERPRISE: "enterprise", Role.DEVICE: "enterprise",
                Role.INSURER: "insurer"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hazard", description="HazardLedger 隐患排查治理台账")
    commands = parser.add_subparsers(dest="command", required=True)

    from services.cli import accountability, electricity, fanout, importer, privacy, readmodels, serve

    serve.register(commands)  # serve

    token = commands.add_parser("token", help="bearer tokens").add_subparsers(dest="action", required=True)
    issue = token.add_parser("issue", help="print a token for a role and its scope")
    issue.add_argument("--role", required=True, choices=[r.value for r in Role])
    issue.add_argument("--township")
    issue.add_argument("--sector")
    issue.add_argument("--agency")
    issue.add_argument("--enterprise", "--enterprise-id", dest="enterprise")
    issue.add_argument("--insurer", help="an insurer token's insurer id (保险机构, issue 15 §3)")
    issue.add_argument("--name", help="the holder's display name (recorded on every event)")
    issue.set_defaults(run=_issue_token)
    revoke = token.add_parser("revoke", help="revoke a token (by the token itself or its id)")
    revoke.add_argument("token", help="the token, or its id (jti)")
    revoke.add_argument("--reason", default="")
    revoke.set_defaults(run=_revoke_token)
    rotate = token.add_parser("rotate-key", help="sign new tokens with a new key; older keys stay valid")
    rotate.add_argument("--retire", action="append", default=[], metavar="KID",
                        help="drop an old key: tokens signed with it stop working")
    rotate.set_defaults(run=_rotate_key)

    history = commands.add_parser("history", help="an aggregate's timeline of events")
    history.add_argument("id")
    history.add_argument("--as-of", help="show the state as of this moment (record time)")
    history.add_argument("--json", action="store_true", help="JSON instead of a readable timeline")
    history.set_defaults(run=_history)

    audit = commands.add_parser("audit", help="tamper evidence").add_subparsers(dest="action", required=True)
    verify = audit.add_parser("verify", help="recompute the hash chain; name the first altered event")
    verify.add_argument("--json", action="store_true")
    verify.add_argument("--witness", metavar="POSITION:HASH",
                        help="a checkpoint kept from hz._._.audit.checkpoint; must match the recomputed chain")
    verify.set_defaults(run=_audit_verify)

    fanout.register(commands)  # subscribe, nats-config, relay
    readmodels.register(commands)  # ledger, rates, compliance, statistics, projections, simulate
    accountability.register(commands)  # accountability, trace, coverage, subsidies, audit export
    importer.register(commands)  # import ledger (issue 16 §1)
    electricity.register(commands)  # alarms listen (issue 15 §4: alarms over NATS)
    privacy.register(commands)  # privacy find, privacy erase (issue 16 §6)

    args = parser.parse_args(argv)
    from services.runtime import Config

    return args.run(args, Config()) or 0


def _issue_token(args: argparse.Namespace, config: Config) -> int:
    role = Role(args.role)
    needed = SCOPE_NEEDED.get(role)
    if needed and not getattr(args, needed):
        print(f"hazard token issue: --role {role} needs --{needed}"
              f"{' (--enterprise-id)' if needed == 'enterprise' else ''}", file=sys.stderr)
        return 2
    print(config.tokens().issue(
        role=role, name=args.name or ROLE_NAMES_ZH[role], township=args.township,
        sector=args.sector, agency_id=args.agency, enterprise_id=args.enterprise,
        insurer_id=args.insurer))
    return 0


def _revoke_token(args: argparse.Namespace, config: Config) -> int:
    from infra.auth import InvalidToken, token_id
    from infra.revocations import RevocationList
    from services.runtime import running

    try:
        jti = token_id(args.token) if args.token.count(".") == 2 else args.token
    except InvalidToken as e:
        print(f"hazard token revoke: not a token: {e}", file=sys.stderr)
        return 2
    with running(config) as rt:
        RevocationList(rt.ledger.recorder.datastore).revoke(jti, args.reason)
    print(f"revoked {jti}")
    return 0


def _rotate_key(args: argparse.Namespace, config: Config) -> int:
    from infra.auth import keys_path, rotate_key

    settings = config.settings
    if settings.secret:
        print("hazard token rotate-key: HAZARD_SECRET is set; rotate by setting a new HAZARD_SECRET "
              "and moving the old one to HAZARD_PREVIOUS_SECRETS", file=sys.stderr)
        return 2
    kid = rotate_key(keys_path(settings), tuple(args.retire))
    print(f"new signing key {kid}; retired: {', '.join(args.retire) or 'none'}")
    return 0


def _audit_verify(args: argparse.Namespace, config: Config) -> int:
    from services.file_audit import verify_files
    from services.runtime import running

    with running(config) as rt:
        verdict = rt.ledger.audit_chain().verify(
            progress=lambda n: print(f"\r核验 {n} 条事件…", end="", file=sys.stderr, flush=True),
            witness=_witness(args.witness) if args.witness else None)
        files = verify_files(rt.ledger, progress=lambda n, size: print(
            f"\r核验 {n} 个证据文件（{size} 字节）…", end="", file=sys.stderr, flush=True))
    if args.json:
        print(orjson.dumps({**verdict.as_dict(), "files": files.as_dict()}).decode())
    else:
        _print_chain(verdict)
        _print_files(files)
    return 0 if verdict.ok and files.ok else 1


def _print_chain(verdict) -> None:
    if verdict.ok:
        print(f"\r哈希链完好：已核验 {verdict.checked} 条事件，链头位置 {verdict.head_position}，"
              f"链头 {verdict.head}；尚未入链 {verdict.unchained} 条")
    else:
        print(f"\r哈希链断裂：位置 {verdict.first_break} 的事件被{_PROBLEMS[verdict.problem]}"
              f"（此前 {verdict.checked} 条完好）")


def _print_files(files) -> None:
    """Each faulty evidence file by its hash, what was found and the records citing it."""
    from infra.files.check import PROBLEMS_ZH

    if files.ok:
        print(f"证据文件完好：已重新计算 {files.checked} 个文件的 SHA-256（{files.bytes} 字节），"
              "被引用的文件均存在")
        return
    print(f"证据文件异常 {len(files.faults)} 个（已核验 {files.checked} 个文件）：")
    for fault in files.faults:
        cited = f"；引用记录：{'、'.join(fault.cited_by)}" if fault.cited_by else "；无记录引用"
        print(f"  sha256:{fault.sha256} {PROBLEMS_ZH[fault.problem]}：{fault.detail}{cited}")


_PROBLEMS = {"changed": "篡改", "removed": "删除", "inserted": "插入（原链中没有该位置）",
             "chain-altered": "链表记录改动", "witness-mismatch": "改写（与订阅方保存的链头不符）"}


def _witness(value: str) -> tuple[int, str]:
    position, _, chain = value.partition(":")
    if not position.isdigit() or len(chain) != 64:
        raise SystemExit("hazard audit verify: --witness wants POSITION:HASH (64 hex characters)")
    return int(position), chain.lower()


def _history(args: argparse.Namespace, config: Config) -> int:
    from eventsourcing.domain import Aggregate

    from services.cli.output import record_names
    from services.errors import NotFound
    from services.presenters import aggregate_state, event_entry
    from services.runtime import running

    with running(config) as rt:
        try:
            events = [event_entry(e) for e in rt.ledger.history_of(Aggregate, args.id)]
            state = aggregate_state(rt.ledger.state_as_of(
                Aggregate, args.id, parse_moment(args.as_of) if args.as_of else None))
        except NotFound as e:
            print(f"hazard history: {e}", file=sys.stderr)
            return 1
        for record in (*(e["data"] for e in events), state):  # 判定依据 in Chinese (issue 13)
            if "criterion" in record:
                record["criterion_article"] = _article(record["criterion"], config)
        lines = None if args.json else history_lines(events, state, as_of=args.as_of,
                                                      reference=config.reference, names=record_names(rt.ledger))
    if args.json:
        sys.stdout.buffer.write(orjson.dumps({"events": events, "state": state},
                                             option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    print("\n".join(lines))
    return 0


def history_lines(events: list[dict], state: dict, *, as_of: str | None, reference: object,
                  names: object = None) -> list[str]:
    """A record's timeline for people: each step's label, who took it, its fields by their
    Chinese names with codes as labels (projections/field_labels.py); the state as of a
    moment as labelled fields too. Empty fields are left out."""
    from projections.field_labels import RECORD_KINDS, describe

    def fields(data: dict) -> list[str]:
        shown = {k: v for k, v in data.items() if k != "criterion_article"}
        if data.get("criterion_article"):
            shown["criterion"] = data["criterion_article"]
        return [f"      {k}：{v}" for k, v in describe(shown, reference=reference, names=names) if v != "—"]

    cited = f"  判定依据 {state['criterion_article']}" if state.get("criterion_article") else ""
    lines = [f"{RECORD_KINDS.get(state['type'], state['type'])} {state['id']}（版本 {state['version']}）{cited}"]
    for e in events:
        actor = e["actor"] or {}
        role = actor.get("role", "")
        lines.append(f"  {e['recorded_at'].replace('T', ' ')}  第 {e['version']} 版  {e['label']}  "
                     f"{actor.get('name', '-')}（{ROLE_NAMES_ZH.get(role, role or '-')}）")
        lines += fields(e["data"])
    if as_of:
        lines.append(f"截至 {as_of} 的状态：")
        lines += fields({k: v for k, v in state.items()
                         if k not in ("id", "type", "version", "created_at", "modified_at")})
    return lines


def _article(criterion: object, config: Config) -> str | None:
    """The cited criterion's article in Chinese, from the county's catalogue (None: none cited,
    or an id the catalogue no longer has)."""
    from domain.criteria import article_zh

    found = config.criteria.get(criterion) if isinstance(criterion, str) else None
    return article_zh(found) if found else None
