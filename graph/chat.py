"""Terminal client: ``python -m graph.chat``.

Interactive by default; ``--message`` answers one turn, ``--input FILE|-`` answers JSONL rows
``{"message": ...}`` in one thread with the model loaded once. ``--url`` talks to a running
server through langgraph-sdk instead of running the graph in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from graph.answer import result_of
from graph.context import Context, ContextError
from graph.strategies import valid_strategies
from tools.jsonl import JSONLError, parse_lines

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage
    from langchain_core.runnables import RunnableConfig

    from graph.state import InputState

TokenSink = Callable[[str], None]


class InputError(ValueError):
    """A row of ``--input`` that cannot be used."""


class LocalBackend:
    """Runs the graph in this process, with an in-memory checkpointer for the thread."""

    def __init__(self, context: Context) -> None:
        from langgraph.checkpoint.memory import InMemorySaver

        from graph.graph import build_graph

        self.graph = build_graph(checkpointer=InMemorySaver())
        self.context = context
        self.thread_id = str(uuid.uuid4())

    async def ask(self, message: str, on_token: TokenSink | None) -> dict[str, Any]:
        config: RunnableConfig = {"configurable": {"thread_id": self.thread_id}}
        # A message dict, as the server receives it: the graph's add_messages reducer turns it into a message.
        payload = cast("InputState", {"messages": [{"role": "user", "content": message}]})
        if on_token is None:
            state = await self.graph.ainvoke(payload, config, context=self.context)
            return result_of(state)
        async for part in self.graph.astream(payload, config, context=self.context, stream_mode="messages"):
            chunk, meta = cast("tuple[BaseMessage, dict[str, Any]]", part)  # "messages" mode: (chunk, metadata) pairs
            if meta.get("langgraph_node") == "generate" and isinstance(chunk.content, str) and chunk.content:
                on_token(chunk.content)
        snapshot = await self.graph.aget_state(config)
        return result_of(snapshot.values)

    async def feedback(self, score: float, correction: str = "", comment: str = "") -> dict[str, Any]:
        from graph.auth import LOCAL_USER
        from graph.feedback import from_state, record

        snapshot = await self.graph.aget_state({"configurable": {"thread_id": self.thread_id}})
        item = from_state(
            snapshot.values,
            score=score,
            owner=LOCAL_USER,
            correction=correction,
            comment=comment,
            thread_id=self.thread_id,
            run_id=str((snapshot.metadata or {}).get("run_id") or ""),
        )
        return await record(item)


class RemoteBackend:
    """Talks to a LangGraph server; the thread lives on the server."""

    def __init__(self, url: str, context: Context, api_key: str | None = None) -> None:
        from langgraph_sdk import get_client

        self.client = get_client(url=url, api_key=api_key)
        self.context = asdict(context)
        self.thread_id: str | None = None

    async def ask(self, message: str, on_token: TokenSink | None) -> dict[str, Any]:
        if self.thread_id is None:
            self.thread_id = (await self.client.threads.create())["thread_id"]
        payload: dict[str, Any] = {"messages": [{"role": "user", "content": message}]}
        state: dict[str, Any]
        if on_token is None:
            # The run's output is the agent's final state, a JSON object (the SDK's type also allows a list).
            state = cast(
                dict[str, Any],
                await self.client.runs.wait(self.thread_id, "agent", input=payload, context=self.context),
            )
        else:
            state = {}
            async for part in self.client.runs.stream(
                self.thread_id, "agent", input=payload, context=self.context, stream_mode=["messages-tuple", "values"]
            ):
                if part.event == "error":
                    raise RuntimeError(f"server error: {part.data}")
                if part.event == "messages":
                    chunk, meta = part.data
                    if meta.get("langgraph_node") == "generate" and chunk.get("content"):
                        on_token(chunk["content"])
                elif part.event == "values":
                    state = part.data
        if isinstance(state, dict) and "__error__" in state:
            raise RuntimeError(f"server error: {state['__error__'].get('message', state['__error__'])}")
        return result_of(state)

    async def feedback(self, score: float, correction: str = "", comment: str = "") -> dict[str, Any]:
        if self.thread_id is None:
            raise ValueError("there is no answer to give feedback on yet; ask something first.")
        body = {"thread_id": self.thread_id, "score": score, "correction": correction, "comment": comment}
        saved: dict[str, Any] = await self.client.http.post("/feedback", json=body)  # the recorded item
        return saved


def read_rows(handle: TextIO, name: str) -> Iterator[str]:
    """Messages from JSONL rows ``{"message": ...}``; a bad row is an error naming its line."""
    try:
        for number, row in parse_lines(handle, name):
            if not isinstance(row, dict) or not isinstance(row.get("message"), str):
                raise InputError(
                    f'{name}:{number}: missing string field "message"; each line must be {{"message": "..."}}.'
                )
            yield row["message"]
    except JSONLError as err:
        raise InputError(f'{err} Each line must be {{"message": "..."}}.') from None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m graph.chat", description="Chat with the Tailor agent.")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--message", "-m", help="answer this one message and exit")
    source.add_argument("--input", "-i", help='JSONL file of {"message": ...} rows, or - for standard input')
    parser.add_argument("--json", action="store_true", help="print one JSON object per answer")
    parser.add_argument("--strategy", default="auto", help=f"one of: {', '.join(valid_strategies())}")
    parser.add_argument("--adapter", default="", help="registered LoRA adapter to answer with")
    parser.add_argument("--collection", default=None, help="knowledge-base collection for retrieval")
    parser.add_argument("--model", default=None, help="model spec (default: TAILOR_MODEL or 'default')")
    parser.add_argument("--max-new-tokens", type=int, default=None, help="most tokens per answer")
    parser.add_argument("--temperature", type=float, default=None, help="sampling temperature (0: greedy)")
    parser.add_argument("--route-only", action="store_true", help="decide the route, skip generation")
    parser.add_argument("--url", default=None, help="talk to a running server (e.g. http://127.0.0.1:2024)")
    parser.add_argument("--api-key", default=None, help="x-api-key for a server that requires one")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help='any other context field, e.g. --set samples=7 --set \'filters={"team": "a"}\' '
        "(values are read as JSON when they parse, else as text)",
    )
    return parser.parse_args(argv)


def parse_settings(items: list[str]) -> dict[str, object]:
    """``["samples=7", "cot_mode=zero_shot"]`` -> ``{"samples": 7, "cot_mode": "zero_shot"}``."""
    values: dict[str, object] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ContextError(f"--set {item!r} must look like FIELD=VALUE, e.g. --set samples=7.")
        try:
            values[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            values[key.strip()] = raw
    return values


def context_from(args: argparse.Namespace) -> Context:
    return Context.from_mapping(
        {
            "strategy": args.strategy,
            "adapter": args.adapter,
            "collection": args.collection,
            "model": args.model,
            "max_new_tokens": args.max_new_tokens,
            "temperature": args.temperature,
            "route_only": args.route_only,
            **parse_settings(args.set),
        }
    )


FEEDBACK_HELP = "/good [comment], /bad [comment], /fix <the answer it should have given>"


def parse_feedback(line: str) -> dict[str, Any] | None:
    """``/good``, ``/bad why``, ``/fix better answer`` -> feedback fields; None for any other line."""
    command, _, rest = line.strip().partition(" ")
    rest = rest.strip()
    if command == "/good":
        return {"score": 1.0, "comment": rest}
    if command == "/bad":
        return {"score": 0.0, "comment": rest}
    if command == "/fix":
        if not rest:
            raise ValueError("/fix needs the answer it should have given, e.g. /fix Paris is the capital.")
        return {"score": 0.0, "correction": rest}
    return None


def _printer(stream: TextIO) -> TokenSink:
    def emit(text: str) -> None:
        stream.write(text)
        stream.flush()

    return emit


async def run(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    context = context_from(args)
    backend = RemoteBackend(args.url, context, args.api_key) if args.url else LocalBackend(context)

    async def turn(message: str, stream_tokens: bool) -> None:
        sink = _printer(out) if stream_tokens else None
        result = await backend.ask(message, sink)
        if args.json:
            out.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
        elif args.route_only:
            out.write(f"{result['strategy']}: {result['route_reason']}\n")
        elif (
            stream_tokens
            and result["guard"].get("input", {}).get("verdict") == "allow"
            and result["guard"].get("output", {}).get("verdict") == "allow"
        ):
            out.write("\n")
        else:  # refused or replaced: what was streamed (if anything) is not the final answer
            out.write(("\n" if stream_tokens else "") + result["answer"] + "\n")
        out.flush()

    if args.message is not None:
        await turn(args.message, stream_tokens=not args.json and not args.route_only)
        return 0
    if args.input is not None:
        handle = sys.stdin if args.input == "-" else Path(args.input).open(encoding="utf-8")
        with handle:
            for message in read_rows(handle, "stdin" if args.input == "-" else args.input):
                await turn(message, stream_tokens=False)
        return 0
    out.write(f"Tailor chat. Type a message; rate the last answer with {FEEDBACK_HELP}; /exit or Ctrl-D to leave.\n")
    while True:
        try:
            message = await asyncio.to_thread(input, "you> ")
        except (EOFError, KeyboardInterrupt):
            out.write("\n")
            return 0
        if message.strip() in ("/exit", "/quit"):
            return 0
        try:
            feedback = parse_feedback(message)
            if feedback is not None:
                saved = await backend.feedback(**feedback)
                out.write(f"feedback saved ({saved['id']}).\n")
                continue
        except ValueError as err:  # FeedbackError included: say what was wrong and carry on
            out.write(f"{err}\n")
            continue
        out.write("tailor> ")
        await turn(message, stream_tokens=not args.json and not args.route_only)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(run(args))
    except (ContextError, InputError, FileNotFoundError, ValueError, RuntimeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
