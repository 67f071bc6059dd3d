"""`hazard privacy find --name NAME` and `hazard privacy erase --person ID --reason …`
(个人信息删除, issue 16 §6, docs/privacy.md). The erasure is recorded as an event by the bureau's
operator at the console (管理员（命令行）), the person's key destroyed, and every view rebuilt so
that it shows 已删除. Exit 0 done (or already erased), 1 no such person, 2 bad input, 3 erased but
the views could not be rebuilt now (run it again)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from domain.actor import Actor, Role
from domain.errors import DomainError
from services.cli.output import add_format, emit

if TYPE_CHECKING:
    from services.runtime import Config

CONSOLE = Actor("console-admin", Role.ADMIN, "管理员（命令行）")
PERSON_COLUMNS = [("person_id", "人员编号"), ("kind", "人员类别"), ("hint", "电话尾号"), ("created", "首次记录时间")]


def register(commands: argparse._SubParsersAction) -> None:
    actions = commands.add_parser("privacy", help="个人信息：查找、删除（个人信息保护法第四十七条）").add_subparsers(
        dest="action", required=True)
    find = actions.add_parser("find", help="按姓名查找人员编号")
    find.add_argument("--name", required=True, help="姓名（责任人、专家、签收人、操作人等）")
    add_format(find, files=False)
    find.set_defaults(run=run_find)
    erase = actions.add_parser("erase", help="删除一个人的个人信息（销毁其密钥；事件保留，审计链不变）")
    erase.add_argument("--person", required=True, help="人员编号（hazard privacy find 查得）")
    erase.add_argument("--reason", required=True, help="删除依据，如「本人申请（个人信息保护法第四十七条）」")
    erase.set_defaults(run=run_erase)


def run_find(args: argparse.Namespace, config: Config) -> int:
    from projections.labels import PERSON_KIND
    from services.runtime import running

    with running(config) as rt:
        found = rt.ledger.find_persons(args.name)
        legacy = rt.ledger.legacy_mentions(args.name)
    rows = [{**r, "kind": PERSON_KIND.get(r["kind"], r["kind"]), "hint": r["hint"] or "-"} for r in found]
    notes = [] if found else ["未找到（已删除的人员不再能按姓名查到）"]
    if legacy:
        notes.append(f"另有 {legacy} 个事件以明文保存此姓名（本功能启用前存储），无法通过销毁密钥删除；"
                     "改写事件会破坏审计链，见 docs/privacy.md")
    return emit(args, title=f"姓名为「{args.name}」的人员", columns=PERSON_COLUMNS, rows=rows,
                result={"persons": found, "legacy_events": legacy},
                notes=notes)


def run_erase(args: argparse.Namespace, config: Config) -> int:
    from services.errors import NotFound
    from services.privacy import refresh_views
    from services.runtime import running

    with running(config) as rt:
        try:
            written = rt.ledger.erase_person(CONSOLE, args.person, reason=args.reason)
        except NotFound:
            print(f"没有编号为 {args.person} 的人员", file=sys.stderr)
            return 1
        except DomainError as e:
            print(f"无法删除：{e}", file=sys.stderr)
            return 2
        print(f"已删除人员 {args.person} 的个人信息：密钥已销毁，删除记录 {written.id}（事件位置 {written.position}）",
              flush=True)
        print("重建视图，使其显示「已删除」……", flush=True)
        try:
            positions = refresh_views(rt.env)
        except RuntimeError as e:  # another rebuild holds a view's lock
            print(f"视图未能重建：{e}。删除已完成；稍后再次执行本命令（不重复记录）即可重建视图", file=sys.stderr)
            return 3
    print("视图已重建：" + "，".join(f"{n} @ {p}" for n, p in positions.items()), flush=True)
    print("事件本身保留（审计链不变）；其他 API 进程在 30 秒内不再读出此人信息。", flush=True)
    return 0
