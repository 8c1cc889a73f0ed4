"""The SQLite and Postgres savers with the two upkeep calls the LangGraph server makes of them.

``adelete_for_runs`` drops what a run wrote (the server calls it for ``multitask_strategy="rollback"``,
so a rolled-back run leaves nothing in the thread), and ``aprune`` keeps only each thread's latest
checkpoint (the server's ``keep_latest`` pruning). The stock savers lack them (Postgres has
``aprune`` only), so the server warned at every start and old checkpoints grew without bound. The
agent's state has no DeltaChannel, so a checkpoint never needs its ancestors' writes.
"""

from __future__ import annotations

from collections.abc import Sequence

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

PRUNE_STRATEGIES = ("keep_latest", "delete")


def _check_strategy(strategy: str) -> None:
    if strategy not in PRUNE_STRATEGIES:
        raise ValueError(f"prune strategy {strategy!r} is not one of {', '.join(PRUNE_STRATEGIES)}.")


class SqliteSaver(AsyncSqliteSaver):
    """LangGraph's async SQLite saver with ``adelete_for_runs`` and ``aprune``."""

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        ids = [str(r) for r in run_ids]
        if not ids:
            return
        marks = ",".join("?" * len(ids))
        run_of = "json_extract(CAST(metadata AS TEXT), '$.run_id')"
        async with self.lock, self.conn.cursor() as cur:
            await cur.execute(
                f"DELETE FROM writes WHERE (thread_id, checkpoint_ns, checkpoint_id) IN "
                f"(SELECT thread_id, checkpoint_ns, checkpoint_id FROM checkpoints WHERE {run_of} IN ({marks}))",
                ids,
            )
            await cur.execute(f"DELETE FROM checkpoints WHERE {run_of} IN ({marks})", ids)
            await self.conn.commit()

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        _check_strategy(strategy)
        ids = [str(t) for t in thread_ids]
        if not ids:
            return
        marks = ",".join("?" * len(ids))
        async with self.lock, self.conn.cursor() as cur:
            if strategy == "delete":
                await cur.execute(f"DELETE FROM writes WHERE thread_id IN ({marks})", ids)
                await cur.execute(f"DELETE FROM checkpoints WHERE thread_id IN ({marks})", ids)
            else:
                # Checkpoint ids are time-ordered (uuid6), so the greatest per namespace is the latest.
                older = (
                    f"SELECT c.thread_id, c.checkpoint_ns, c.checkpoint_id FROM checkpoints c "
                    f"WHERE c.thread_id IN ({marks}) AND c.checkpoint_id < (SELECT MAX(l.checkpoint_id) "
                    f"FROM checkpoints l WHERE l.thread_id = c.thread_id AND l.checkpoint_ns = c.checkpoint_ns)"
                )
                await cur.execute(
                    f"DELETE FROM writes WHERE (thread_id, checkpoint_ns, checkpoint_id) IN ({older})", ids
                )
                await cur.execute(
                    f"DELETE FROM checkpoints WHERE (thread_id, checkpoint_ns, checkpoint_id) IN ({older})", ids
                )
            await self.conn.commit()


class PostgresSaver(AsyncPostgresSaver):
    """LangGraph's async Postgres saver with ``adelete_for_runs`` added (its own ``aprune`` is kept)."""

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        ids = [str(r) for r in run_ids]
        if not ids:
            return
        async with self._cursor(pipeline=False) as cur:
            await cur.execute(
                "DELETE FROM checkpoint_writes w USING checkpoints c WHERE c.metadata->>'run_id' = ANY(%s) "
                "AND w.thread_id = c.thread_id AND w.checkpoint_ns = c.checkpoint_ns "
                "AND w.checkpoint_id = c.checkpoint_id",
                (ids,),
            )
            await cur.execute("DELETE FROM checkpoints WHERE metadata->>'run_id' = ANY(%s)", (ids,))
