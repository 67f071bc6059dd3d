"""After an erasure (issue 16 §6): the views rebuilt from the log, so that every row that held
the person's data now holds 已删除 (the log is read through the same sealing mapper, which opens
the erased person's fields as 已删除). A view nobody else follows is forgotten and caught up
again; a view `hazard serve` follows gets a new generation switched in at once
(`projections.generations`): reads are not interrupted."""

from __future__ import annotations

from collections.abc import Mapping


def refresh_views(env: Mapping[str, str]) -> dict[str, int]:
    """Rebuild every view; their positions after."""
    from projections import generations, runners
    from projections.locks import followed_elsewhere
    from projections.operations import rebuild

    chosen = runners.names([])
    online = [n for n in chosen if followed_elsewhere(env, n)]
    offline = [n for n in chosen if n not in online]
    positions: dict[str, int] = {}
    if offline:
        with generations.rebuild_locks(env, offline):
            positions.update(rebuild(env, offline))
    for name in online:
        positions[name] = generations.rebuild_online(env, name).position
    return positions
