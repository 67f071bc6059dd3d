"""The `hazard` command (`[project.scripts] hazard = "services.cli:main"`), one module per family:

- `hazard.py`: the parser; `token issue / revoke / rotate-key`, `history`, `audit verify`;
- `serve.py`: `hazard serve` — the API's processes and the followers' process;
- `fanout.py`: `subscribe`, `nats-config`, `relay`;
- `readmodels.py`: `ledger`, `rates`, `compliance`, `statistics`, `projections`, `simulate`;
- `accountability.py`: `accountability`, `trace`, `coverage`, `subsidies`, `audit export / check-export`.

Every command gets the store, the broker and the county's policies from `services.runtime`.
"""

from services.cli.hazard import main

__all__ = ["main"]
