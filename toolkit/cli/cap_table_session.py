"""The offering's cap table for a command: the indexer opened on the recorded offering, with
a progress bar (on a terminal) while it reads the offering's events. ``captable`` reads the
cap table through it; ``dividend declare`` and ``gov propose`` (a ``declare-dividend``
action) read the holders of record."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from toolkit.cli.context import AppContext

if TYPE_CHECKING:
    from toolkit.captable.api import CapTableSession


@contextmanager
def cap_table_session(
    app: AppContext, confirmations: int | None = None, concurrency: int | None = None
) -> Iterator[CapTableSession]:
    """A session on the offering (``--deployment``) of the command's chain, closed after;
    ``concurrency``: log range requests in flight at most (the indexer's default if None)."""
    from toolkit.captable.api import open_session

    chain = app.chain()
    with app.progress("reading the offering's events", 100) as advance:
        done = [0]

        def on_progress(blocks_done: int, blocks_total: int) -> None:
            percent = blocks_done * 100 // max(blocks_total, 1)
            advance(percent - done[0])
            done[0] = percent

        session = open_session(
            rpc_url=chain.rpc_url,
            chain_id=chain.chain_id,
            is_local=chain.is_local,
            cwd=app.cwd,
            deployment=app.options.deployment,
            confirmations=confirmations,
            concurrency=concurrency,
            on_progress=on_progress,
        )
        app.detail(f"offering {session.deployment.name!r} of deployments/{chain.chain_id}.json")
        try:
            yield session
        finally:
            session.close()
