"""Tracing goes through the real LangSmith SDK to a collector on loopback.

Node runs arrive, named after their nodes, and no personal data is in them.
"""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from graph import tracing

PROJECT_ID = "0f3c6e1a-5b7d-4c2e-9a8f-1d2e3f4a5b6c"


class _Collector(BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self):  # noqa: N802 - the name http.server calls
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        encoding = (self.headers.get("content-encoding") or "").lower()
        if encoding == "zstd":
            import zstandard

            raw = zstandard.ZstdDecompressor().decompressobj().decompress(raw)
        elif encoding == "gzip":
            raw = gzip.decompress(raw)
        type(self).bodies.append(raw)
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    do_PATCH = do_POST

    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        if "/sessions" in self.path:  # the tracing project, looked up for feedback
            self.wfile.write(
                json.dumps(
                    [{"id": PROJECT_ID, "name": "default", "tenant_id": PROJECT_ID, "reference_dataset_id": None}]
                ).encode()
            )
            return
        self.wfile.write(b"{}")  # no server info: the SDK uses its default batching

    def log_message(self, *args):
        pass


@pytest.fixture
def collector(monkeypatch):
    _Collector.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("LANGSMITH_TRACING", "true")
    monkeypatch.setenv("LANGSMITH_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("LANGSMITH_API_KEY", "lsv2_test_key_for_the_loopback_collector")
    monkeypatch.setenv("LANGSMITH_PROJECT", "tailor-test")
    monkeypatch.setattr(tracing, "_installed", False)
    monkeypatch.setattr(tracing, "_client", None)  # a client for this collector's endpoint
    _clear_sdk_env_caches()  # the SDK caches environment look-ups; earlier tests read them unset
    yield _Collector
    import langsmith

    # Send what the clients still hold while the collector listens (else they try at exit, and say so).
    for client in {id(c): c for c in (tracing._client, langsmith.run_trees.get_cached_client()) if c}.values():
        client.flush()
    langsmith.configure(client=None)
    server.shutdown()
    _clear_sdk_env_caches()


def _clear_sdk_env_caches() -> None:
    from langsmith import utils

    for value in vars(utils).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


def test_redact_payload_keeps_structure_and_hides_values():
    payload = {"messages": [{"content": "mail ana@example.com", "n": 3}], "note": ("call +44 20 7946 0958",)}
    assert tracing.redact_payload(payload) == {
        "messages": [{"content": "mail <EMAIL_1>", "n": 3}],
        "note": ["call <PHONE_1>"],
    }


def test_without_tracing_nothing_is_installed(monkeypatch):
    monkeypatch.delenv("LANGSMITH_TRACING", raising=False)
    monkeypatch.delenv("LANGCHAIN_TRACING_V2", raising=False)
    monkeypatch.setattr(tracing, "_installed", False)
    assert tracing.install() is False and tracing._installed is False


async def test_node_runs_reach_the_collector_without_personal_data(collector):
    import langsmith
    from langchain_core.tracers.langchain import wait_for_all_tracers

    from graph.graph import build_graph

    agent = build_graph()
    assert tracing._installed
    secret_mail, card = "ana.lopez@example.com", "4111 1111 1111 1111"
    state = await agent.ainvoke({"messages": [{"role": "user", "content": f"I am {secret_mail}, card {card}. Hello"}]})
    assert secret_mail in state["messages"][-1].content  # the user still gets their own data back
    wait_for_all_tracers()
    langsmith.run_trees.get_cached_client().flush()
    sent = b"".join(collector.bodies)
    assert sent, "the SDK sent nothing to the collector"
    for node in (b"guard_input", b"route", b"generate", b"guard_output"):
        assert b'"name":"' + node + b'"' in sent.replace(b'": "', b'":"'), node
    assert secret_mail.encode() not in sent and b"4111 1111 1111 1111" not in sent
    assert b"<EMAIL_1>" in sent


async def test_node_runs_carry_what_each_node_decided(collector):
    import json

    import langsmith
    from langchain_core.tracers.langchain import wait_for_all_tracers

    from graph.graph import build_graph

    agent = build_graph()
    await agent.ainvoke(
        {"messages": [{"role": "user", "content": "Explain what a LoRA adapter is, mail ana@example.com"}]}
    )
    wait_for_all_tracers()
    langsmith.run_trees.get_cached_client().flush()
    runs: dict[str, dict] = {}
    for run in _sent_runs(collector.bodies).values():
        meta = (run.get("extra") or {}).get("metadata") or {}
        if meta.get("tailor_node"):
            entry = runs.setdefault(meta["tailor_node"], {"metadata": {}, "tags": set()})
            entry["metadata"].update(meta)
            entry["tags"].update(run.get("tags") or [])
    assert {"guard_input", "route", "generate", "guard_output"} <= set(runs), sorted(runs)
    assert runs["route"]["metadata"]["strategy"] == "direct" and "strategy:direct" in runs["route"]["tags"]
    assert runs["generate"]["metadata"]["adapter"] == "base" and runs["generate"]["metadata"]["model"]
    assert runs["guard_input"]["metadata"]["guard_input"]["verdict"] == "allow"
    assert runs["guard_output"]["metadata"]["guard_output"]["verdict"] in ("allow", "replace")
    assert "guard_input:allow" in runs["guard_input"]["tags"]
    assert "ana@example.com" not in json.dumps({k: v["metadata"] for k, v in runs.items()})


def _sent_runs(bodies: list[bytes]) -> dict[str, dict]:
    """Every run the SDK sent, its fields merged across posts, patches and multipart pieces."""
    import json

    runs: dict[str, dict] = {}

    def merge(run: dict) -> None:
        runs.setdefault(str(run.get("id")), {}).update({k: v for k, v in run.items() if v is not None})

    for body in bodies:
        try:
            batch = json.loads(body)
        except ValueError:
            batch = None
        if isinstance(batch, dict):
            for run in (batch.get("post") or []) + (batch.get("patch") or []):
                merge(run)
            continue
        for part in body.split(b"\r\n--"):  # multipart: "post.<id>" and "post.<id>.<field>" pieces
            head, _, payload = part.partition(b"\r\n\r\n")
            name = head.split(b'name="', 1)[-1].split(b'"', 1)[0].decode(errors="replace")
            kind, _, rest = name.partition(".")
            if kind not in ("post", "patch"):
                continue
            try:
                value = json.loads(payload.rstrip(b"\r\n-"))
            except ValueError:
                continue
            run_id, _, field = rest.partition(".")
            merge(value if not field else {"id": run_id, field: value})
    return runs


def test_node_metadata_names_adapter_version_and_sources():
    meta, tags = tracing.node_metadata(
        "rag",
        {
            "adapter": "support@v3",
            "documents": [{"source": "docs/b.md"}, {"source": "docs/a.md"}, {"source": "docs/b.md"}],
        },
        None,
    )
    assert meta["adapter"] == "support" and meta["adapter_version"] == "v3" and "adapter:support" in tags
    assert meta["sources"] == ["docs/a.md", "docs/b.md"] and meta["retrieved"] == 3
    meta, tags = tracing.node_metadata(
        "guard_input", {"guard": {"input": {"verdict": "block", "blocked_by": ["injection"]}}}, None
    )
    assert meta["guard_input"] == {"verdict": "block", "blocked_by": ["injection"]} and "guard_input:block" in tags


def test_without_tracing_nodes_are_not_wrapped(monkeypatch):
    monkeypatch.delenv("LANGSMITH_TRACING", raising=False)
    monkeypatch.delenv("LANGCHAIN_TRACING_V2", raising=False)

    async def node(state):
        return {}

    assert tracing.traced("refuse", node) is node


def test_feedback_reaches_langsmith_redacted(collector):
    from graph.feedback import send_to_langsmith
    from tools.feedback import Feedback

    item = Feedback(
        question="q",
        answer="a",
        score=0.0,
        run_id="01a20570-a9f2-7713-baf8-69f96a7d838c",
        comment="wrong, write to ana@example.com",
        correction="The port is 2024.",
    )
    assert send_to_langsmith(item)
    import langsmith

    langsmith.run_trees.get_cached_client().flush()
    sent = b"".join(collector.bodies)
    assert item.id.encode() in sent and b"user_score" in sent and b"2024" in sent
    assert PROJECT_ID.encode() in sent  # the feedback names its run's project (session_id)
    assert b"ana@example.com" not in sent and b"<EMAIL_1>" in sent


def test_feedback_stays_local_without_a_key(monkeypatch):
    from graph.feedback import send_to_langsmith
    from tools.feedback import Feedback

    monkeypatch.delenv("LANGSMITH_API_KEY", raising=False)
    monkeypatch.delenv("LANGCHAIN_API_KEY", raising=False)
    assert send_to_langsmith(Feedback(question="q", answer="a", score=1, run_id="r")) is False
