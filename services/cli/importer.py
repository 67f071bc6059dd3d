"""`hazard import ledger FILE.xlsx|FILE.csv [--dry-run] [--skip-bad] [--map COLUMN=HEADER …]`:
an old ledger (历史台账) into the store (issue 16 §1, docs/import.md). Messages in Chinese;
the progress bar on stderr. Exit 0 imported (or nothing left to import), 1 bad rows (nothing
stored), 2 a file or a header that cannot be read."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from domain.errors import InvalidValue

if TYPE_CHECKING:
    from services.runtime import Config

STAGES = {"check": "检查", "store": "存储"}


def register(commands: argparse._SubParsersAction) -> None:
    actions = commands.add_parser("import", help="导入历史数据").add_subparsers(dest="what", required=True)
    p = actions.add_parser("ledger", help="导入历史隐患台账（.xlsx 或 .csv）")
    p.add_argument("file", help="台账文件（.xlsx 或 .csv）")
    p.add_argument("--dry-run", action="store_true", help="只检查并报告，不存储")
    p.add_argument("--skip-bad", action="store_true", help="跳过有问题的行，导入其余的行")
    p.add_argument("--map", action="append", default=[], metavar="COLUMN=HEADER",
                   help="把表头 HEADER 当作列 COLUMN（如 found_on=排查时间），可重复")
    p.set_defaults(run=run_import)


def run_import(args: argparse.Namespace, config: Config) -> int:
    from projections.progress import bar
    from services.importer.run import import_ledger
    from services.runtime import running

    def progress(stage: str, done: int, total: int) -> None:
        print(f"\r{STAGES[stage]} {bar(done, total)} {done}/{total} 行", end="\n" if done >= total else "",
              file=sys.stderr, flush=True)

    with running(config) as rt:
        try:
            out = import_ledger(rt.ledger, Path(args.file), dry_run=args.dry_run, skip_bad=args.skip_bad,
                                mapping=args.map, progress=progress)
        except InvalidValue as e:
            print(f"无法导入：{e.message}", file=sys.stderr)
            return 2
    return report(out, args.skip_bad)


def report(out, skip_bad: bool) -> int:
    if out.header_errors:
        print(f"无法导入 {out.file}：表头有问题，未存储任何内容", file=sys.stderr)
        for line in out.header_errors:
            print(f"  {line}", file=sys.stderr)
        return 2
    for bad in out.bad:
        print(f"  {bad}", file=sys.stderr)
    if out.bad and not skip_bad:
        print(f"{out.file}：共 {out.rows} 行，其中 {len(out.bad)} 行有问题（见上），未存储任何内容。"
              "修改后重新导入，或用 --skip-bad 跳过这些行。", file=sys.stderr)
        return 1
    skipped = f"，跳过有问题的 {len(out.bad)} 行" if out.bad else ""
    if out.dry_run:
        print(f"{out.file}（试运行，未存储）：共 {out.rows} 行{skipped}；将导入 {out.stored_rows} 行、"
              f"{out.stored_events} 条事件，登记企业 {out.enterprises} 家；此前已导入 {out.already} 行。")
    elif out.stored_rows == 0 and out.already:
        print(f"{out.file} 已导入过（{out.already} 行），本次未存储任何内容。")
    else:
        print(f"{out.file}：共 {out.rows} 行{skipped}；导入 {out.stored_rows} 行、{out.stored_events} 条事件，"
              f"登记企业 {out.enterprises} 家" + (f"；此前已导入 {out.already} 行" if out.already else "") + "。")
    return 0
