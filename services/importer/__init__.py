"""Import of an old ledger (历史台账导入, issue 16 §1): `hazard import ledger FILE`.

`columns` (headers → columns), `reading` (CSV / XLSX → rows), `rows` (one row → checked
values), `history` (checked values → the hazard's events through the domain), `run` (validate
everything, then store in keyed, batched writes). See docs/import.md.
"""
