"""Load what the first answer needs while the server starts, so the first chat is as fast as the rest.

One short turn through the agent (``Hello``, one token) loads the model (which the guard's perplexity
layer shares), the embedding model, the guard's banks, the router's exemplars and the default
collection. ``status()`` says how far it got; the server reports it at ``GET /ready``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

log = logging.getLogger("tailor.warmup")

_state: dict[str, Any] = {"ready": False, "state": "not started"}


def status() -> dict[str, Any]:
    return dict(_state)


async def warm(agent: Any) -> None:
    """Run one tiny untraced turn; never raises (a failure is reported, and requests load on demand)."""
    import langsmith

    started = time.perf_counter()
    _state.update(ready=False, state="loading")
    try:
        with langsmith.tracing_context(enabled=False):
            await agent.ainvoke(
                {"messages": [{"role": "user", "content": "Hello"}]},
                context={"strategy": "direct", "max_new_tokens": 1},
            )
    except Exception as err:  # noqa: BLE001 - see the docstring
        log.warning("warm-up failed (the first request loads instead): %s", err)
        _state.update(ready=True, state="failed", error=str(err), seconds=round(time.perf_counter() - started, 2))
        return
    seconds = round(time.perf_counter() - started, 2)
    _state.update(ready=True, state="ready", seconds=seconds)
    log.info("warm: model, embeddings and guard loaded in %.1fs", seconds)


def start(agent: Any) -> asyncio.Task[None]:
    """Warm in the background of the running event loop (the server keeps answering meanwhile)."""
    _state.update(ready=False, state="loading")
    return asyncio.get_running_loop().create_task(warm(agent))
