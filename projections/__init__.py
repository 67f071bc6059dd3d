"""Read models (读模型) built from the one notification log, exactly once and rebuildable.

views/      the tables and how each event changes them (ledger 隐患台账, activity 排查与委托)
runners.py  the eventsourcing ProjectionRunner that feeds them, in batches
operations.py  running them beside the API, catching up, rebuilding with progress
queries/    ledger, rates 整改率, compliance 三不放过, statistics 统计分析表 — as of any date
See docs/readmodels.md.
"""
