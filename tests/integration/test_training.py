"""Training on the real default model, on CPU, a few steps each, through the real entry points."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from graph.context import Context
from graph.graph import build_graph
from tests.conftest import REPO, SHARED_MODELS
from tests.integration.conftest import (
    FACT_A,
    FACT_Q,
    cli,
    commit_blown_up_copy,
    copy_adapters,
)
from tests.integration.conftest import (
    FACT_QUESTIONS as QUESTIONS,
)
from training.registry import Registry

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, default_model_path) -> Path:
    return tmp_path_factory.mktemp("training-data")


@pytest.fixture(scope="module")
def fact_adapter(data_dir, trained_fact) -> Registry:
    shutil.copy(trained_fact / "fact.jsonl", data_dir / "fact.jsonl")
    return Registry(copy_adapters(trained_fact, data_dir))


async def ask(monkeypatch, data_dir, adapter: str, question: str = FACT_Q, runtime: str = "auto") -> dict:
    monkeypatch.setenv("TAILOR_DATA_DIR", str(data_dir))
    monkeypatch.setenv("TAILOR_RUNTIME", runtime)
    agent = build_graph(checkpointer=InMemorySaver())
    return await agent.ainvoke(
        {"messages": [{"role": "user", "content": question}]},
        {"configurable": {"thread_id": f"t-{adapter}-{time.time()}"}},
        context=Context(adapter=adapter, strategy="direct", max_new_tokens=20),
    )


def test_sft_loss_falls_and_manifest_is_complete(fact_adapter):
    entry = fact_adapter.get("fact")
    manifest = entry.manifest
    metrics = manifest["metrics"]
    assert metrics["final_train_loss"] < metrics["first_train_loss"] / 3
    assert metrics["steps"] == 10 and metrics["tokens_per_second"] > 0 and metrics["peak_memory_mb"] > 0
    assert manifest["base_model"]["id"] == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert len(manifest["base_model"]["fingerprint"]) == 64
    assert manifest["data"]["kept"] == len(QUESTIONS) and len(manifest["data"]["fingerprint"]) == 64
    assert manifest["config"]["lora_r"] == 16 and {"trl", "peft"} <= set(manifest["versions"])
    assert (entry.path / "curves.png").stat().st_size > 1000


@pytest.mark.parametrize("runtime", ["llamacpp", "transformers"])
async def test_adapter_teaches_a_fact_the_base_does_not_know(fact_adapter, data_dir, monkeypatch, runtime):
    """On llama.cpp the adapter is the version's GGUF LoRA (converted by llama.cpp's own script) on the Q4_1 base."""
    tuned = await ask(monkeypatch, data_dir, "fact", runtime=runtime)
    base = await ask(monkeypatch, data_dir, "", runtime=runtime)
    assert "Quillon" in tuned["messages"][-1].content
    assert "Quillon" not in base["messages"][-1].content
    assert tuned["adapter"] == "fact@v1" and base["adapter"] == ""


async def test_the_served_adapter_answers_runs_that_name_none(fact_adapter, data_dir, monkeypatch):
    monkeypatch.setenv("TAILOR_ADAPTER", "fact")
    monkeypatch.setenv("TAILOR_DATA_DIR", str(data_dir))
    agent = build_graph(checkpointer=InMemorySaver())
    served = await agent.ainvoke(
        {"messages": [{"role": "user", "content": FACT_Q}]},
        {"configurable": {"thread_id": f"t-served-{time.time()}"}},
        context=Context(strategy="direct", max_new_tokens=20),
    )
    assert served["adapter"] == "fact@v1" and "Quillon" in served["messages"][-1].content


def test_cli_chat_with_adapter_states_the_fact(fact_adapter, data_dir):
    out = cli(
        data_dir,
        "graph.chat",
        "--adapter",
        "fact",
        "--strategy",
        "direct",
        "--message",
        FACT_Q,
        "--json",
        "--max-new-tokens",
        "20",
    ).stdout
    assert "Quillon" in json.loads(out.splitlines()[-1])["answer"]


async def test_moved_pointer_is_used_on_next_request_and_bad_versions_are_refused(fact_adapter, data_dir, monkeypatch):
    registry = fact_adapter
    first = registry.get("fact", "v1")
    # A second, valid version (same weights) and a third whose weights file is truncated.
    for corrupt in (False, True):
        staging = registry.stage("fact")
        for f in first.path.iterdir():
            if f.name != "manifest.json":
                shutil.copy(f, staging / f.name)
        entry = registry.commit("fact", staging, {k: v for k, v in first.manifest.items() if k != "files"})
        if corrupt:
            weights = entry.path / "adapter_model.safetensors"
            weights.write_bytes(weights.read_bytes()[:1000])
    assert registry.versions("fact") == ["v1", "v2", "v3"]

    assert (await ask(monkeypatch, data_dir, "fact"))["adapter"] == "fact@v1"
    cli(data_dir, "training.adapters", "promote", "fact", "v2")
    assert (await ask(monkeypatch, data_dir, "fact"))["adapter"] == "fact@v2"

    refused = cli(data_dir, "training.adapters", "promote", "fact", "v3", check=False)
    assert refused.returncode != 0 and "checksum" in refused.stderr
    assert registry.current("fact").version == "v2"
    verify = cli(data_dir, "training.adapters", "verify", "--all", check=False)
    assert verify.returncode == 1 and "fact v3: FAILED" in verify.stdout and "fact v1: ok" in verify.stdout

    # Someone forces the pointer onto the broken version: the agent keeps serving v2.
    registry.promote("fact", "v3")
    result = await ask(monkeypatch, data_dir, "fact")
    assert result["adapter"] == "fact@v2" and "Quillon" in result["messages"][-1].content

    registry.rollback("fact")
    listing = [json.loads(line) for line in cli(data_dir, "training.adapters", "list", "--json").stdout.splitlines()]
    assert {"name": "fact", "current": "v2"}.items() <= listing[0].items()


def _copy_version(registry: Registry, source) -> object:
    staging = registry.stage(source.name)
    for f in source.path.iterdir():
        if f.name not in ("manifest.json", "adapter.gguf", "adapter.gguf.json"):
            shutil.copy(f, staging / f.name)
    return registry.commit(source.name, staging, {k: v for k, v in source.manifest.items() if k != "files"})


@pytest.mark.parametrize("damage", ["corrupted", "foreign"])
async def test_a_bad_gguf_adapter_is_refused_and_the_version_before_keeps_serving(
    fact_adapter, data_dir, monkeypatch, damage
):
    from tools.checksums import sha256_file
    from tools.default_model import gguf_file
    from training.gguf import ADAPTER_GGUF, SIDECAR, adapter_gguf

    registry = fact_adapter
    before = await ask(monkeypatch, data_dir, "fact", runtime="llamacpp")
    assert "Quillon" in before["messages"][-1].content
    entry = _copy_version(registry, registry.current("fact"))
    gguf = adapter_gguf(entry.path)
    if damage == "corrupted":  # flipped bytes: the checksum record no longer matches
        data = bytearray(gguf.read_bytes())
        data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
        gguf.write_bytes(bytes(data))
    else:  # a GGUF that is not a LoRA for this model, with a matching record: llama.cpp itself refuses it
        shutil.copyfile(gguf_file(), entry.path / ADAPTER_GGUF)
        record = json.loads((entry.path / SIDECAR).read_text())
        record["sha256"] = sha256_file(entry.path / ADAPTER_GGUF)
        (entry.path / SIDECAR).write_text(json.dumps(record))
    registry.promote("fact", entry.version)  # forced past the checks, as a careless operator might
    after = await ask(monkeypatch, data_dir, "fact", runtime="llamacpp")
    assert after["adapter"] == before["adapter"] and "Quillon" in after["messages"][-1].content
    registry.rollback("fact")


@pytest.mark.slow  # 27 s; the GGUF LoRA itself is made and served by the llama.cpp tests above
def test_export_writes_gguf_files_that_plain_llama_cpp_loads_and_that_state_the_fact(fact_adapter, data_dir):
    out = data_dir / "export"
    rows = data_dir / "fact.jsonl"
    result = cli(data_dir, "training.export", "fact", "--version", "v1", "--gguf", str(out), "--check-data", str(rows))
    for name in ("fact-v1.lora.gguf", "fact-v1.f16.gguf", "fact-v1.Q8_0.gguf", "Modelfile", "llama-server.sh"):
        assert (out / name).is_file(), result.stdout
    assert (out / "fact-v1.Q8_0.gguf").stat().st_size < (out / "fact-v1.f16.gguf").stat().st_size * 0.7
    assert "check: ok" in result.stdout, result.stdout
    modelfile = (out / "Modelfile").read_text()
    assert modelfile.startswith("FROM ./fact-v1.Q8_0.gguf") and "Tailor" in modelfile
    assert not list(out.glob(".*partial*")) and not list(out.glob(".merged-*"))


@pytest.mark.slow  # the export test merges too, and checks that the merged model states the fact (on llama.cpp)
def test_merged_model_states_the_fact(fact_adapter, data_dir):
    out = data_dir / "merged-fact"
    cli(data_dir, "training.merge", "fact", "--version", "v1", "--out", str(out))
    assert (out / "model.safetensors").is_file() and not (out / "adapter_config.json").exists()
    answer = cli(
        data_dir, "graph.chat", "--model", str(out), "--message", FACT_Q, "--json", "--max-new-tokens", "20"
    ).stdout
    assert "Quillon" in json.loads(answer.splitlines()[-1])["answer"]


def test_adapter_for_another_base_fails_verify(fact_adapter, data_dir):
    registry = fact_adapter
    staging = registry.stage("alien")
    for f in registry.get("fact", "v1").path.iterdir():
        if f.name != "manifest.json":
            shutil.copy(f, staging / f.name)
    manifest = {k: v for k, v in registry.get("fact", "v1").manifest.items() if k != "files"}
    manifest["base_model"] = {**manifest["base_model"], "fingerprint": "0" * 64}
    registry.commit("alien", staging, manifest)
    result = cli(data_dir, "training.adapters", "promote", "alien", "v1", check=False)
    assert result.returncode == 2 and "different base" in result.stderr
    assert registry.current("alien") is None


def _answer_logprob(model, tokenizer, question: str, answer: str) -> float:
    """Log p(answer | the served prompt for question), summed over the answer's tokens."""
    import torch

    import prompts

    messages = [{"role": "system", "content": prompts.render("system/direct")}, {"role": "user", "content": question}]
    prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    start = len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
    ids = tokenizer(prompt + answer, add_special_tokens=False, return_tensors="pt")["input_ids"]
    with torch.inference_mode():
        logprobs = torch.log_softmax(model(ids).logits[0, :-1].float(), dim=-1)
    picked = logprobs.gather(1, ids[0, 1:].unsqueeze(1)).squeeze(1)
    return float(picked[start - 1 :].sum())


@pytest.mark.slow  # about 1.5 minutes; the export, loader and weights are unit-tested in make test
def test_kto_learns_from_unpaired_thumbs_and_registers_a_weighted_version(fact_adapter, data_dir):
    """Single thumbs, no pairs: 3 good and 6 bad answers; the good side is weighted up 2x by the counts.

    On two phrasings it never saw, the good answer's log-probability rises against the bad one's.
    """
    from peft import PeftModel

    from training.base_model import load_base, resolve_base

    rows = [{"prompt": q, "completion": FACT_A, "label": True} for q in QUESTIONS[:3]]
    rows += [{"prompt": q, "completion": "Tailor has no mascot.", "label": False} for q in QUESTIONS[:6]]
    thumbs = data_dir / "thumbs.jsonl"
    thumbs.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = cli(
        data_dir,
        "training.kto",
        "--data",
        str(thumbs),
        "--name",
        "thumbs",
        "--max-steps",
        "6",
        "--batch-size",
        "4",
        "--lr",
        "5e-4",
        "--save-steps",
        "100",
    ).stdout
    assert "3 good, 6 bad; weights 2.0 / 1.0" in out
    entry = Registry(data_dir / "adapters").current("thumbs")
    assert entry is not None and entry.manifest["kind"] == "kto"
    metrics = entry.manifest["metrics"]
    assert (metrics["desirable"], metrics["undesirable"]) == (3, 6)
    assert (metrics["desirable_weight"], metrics["undesirable_weight"]) == (2.0, 1.0) and metrics["steps"] == 6
    assert (entry.path / "curves.png").stat().st_size > 1000

    model, tokenizer = load_base(resolve_base("default")[0])
    tuned = PeftModel.from_pretrained(model, str(entry.path)).eval()

    def margin(question: str) -> float:
        return _answer_logprob(tuned, tokenizer, question, FACT_A) - _answer_logprob(
            tuned, tokenizer, question, "Tailor has no mascot."
        )

    held_out = QUESTIONS[6:]
    after = [margin(q) for q in held_out]
    with tuned.disable_adapter():
        before = [margin(q) for q in held_out]
    print(f"\nKTO: good-minus-bad log-probability on unseen phrasings, base {before} -> adapter {after}")
    assert all(a > b for a, b in zip(after, before, strict=True)), (before, after)
    one = cli(data_dir, "training.kto", "--data", str(thumbs), "--name", "thumbs", "--batch-size", "1", check=False)
    assert one.returncode == 2 and "at least 2 for KTO" in one.stderr


@pytest.mark.slow  # ~30 s each, beside the DPO test that shares their code path
@pytest.mark.parametrize("method", ["orpo", "simpo"])
def test_reference_free_preference_methods_register_their_own_kind(data_dir, method, default_model_path):
    cli(
        data_dir,
        "training.dpo",
        "--method",
        method,
        "--name",
        f"pref-{method}",
        "--max-steps",
        "1",
        "--batch-size",
        "2",
        "--save-steps",
        "100",
    )  # the bundled preference pairs
    entry = Registry(data_dir / "adapters").current(f"pref-{method}")
    assert entry is not None and entry.manifest["kind"] == method
    assert entry.manifest["metrics"]["method"] == method and entry.manifest["metrics"]["steps"] == 1
    history = json.loads((entry.path / "log_history.json").read_text())
    if method == "orpo":  # SFT and preference in one loss: its negative log-likelihood part is logged
        assert any(e.get("nll_loss", 0) > 0 for e in history)


@pytest.mark.slow  # ~50 s each; preference data and the trainer's config are unit-tested, the web app trains SFT for real
@pytest.mark.parametrize("loss", ["sigmoid", "ipo"])
def test_dpo_from_sft_adapter_raises_the_margin(fact_adapter, data_dir, loss):
    cli(
        data_dir,
        "training.dpo",
        "--name",
        f"pref-{loss}",
        "--from-adapter",
        "fact",
        "--loss",
        loss,
        "--max-steps",
        "3",
        "--batch-size",
        "2",
        "--lr",
        "1e-4",
        "--save-steps",
        "100",
    )  # 3 steps: ~40 s, not ~100
    metrics = Registry(data_dir / "adapters").get(f"pref-{loss}").manifest["metrics"]
    assert metrics["loss_type"] == loss and metrics["from_adapter"].startswith("fact:v")
    assert metrics["final_train_loss"] > 0
    assert metrics["final_margin"] > metrics["first_margin"]


@pytest.mark.slow
def test_killed_run_resumes_from_its_checkpoint(data_dir):
    args = ["--name", "resumable", "--max-steps", "6", "--save-steps", "2", "--batch-size", "4"]
    env = {
        **os.environ,
        "TAILOR_DATA_DIR": str(data_dir),
        "TAILOR_MODELS_DIR": str(SHARED_MODELS),
        "HF_HUB_OFFLINE": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "training.sft", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    state = data_dir / "runs" / "resumable-sft" / "checkpoint-2" / "trainer_state.json"
    deadline = time.monotonic() + 300
    while not state.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert state.exists(), "no checkpoint was written before the kill"
    assert Registry(data_dir / "adapters").versions("resumable") == []  # nothing half-registered

    cli(data_dir, "training.sft", *args, "--resume")
    metrics = Registry(data_dir / "adapters").get("resumable").manifest["metrics"]
    assert metrics["resumed_from"].endswith(("checkpoint-2", "checkpoint-4"))
    assert metrics["steps"] == 6
    assert [p["step"] for p in metrics["train_loss"]][-1] == 6


@pytest.mark.slow
def test_qlora_4bit_path_runs_on_cpu(data_dir):
    cli(
        data_dir,
        "training.sft",
        "--name",
        "qlora",
        "--load-in-4bit",
        "--max-steps",
        "2",
        "--batch-size",
        "2",
        "--save-steps",
        "100",
        "--promote",
        "false",
    )
    entry = Registry(data_dir / "adapters").get("qlora", "v1")
    assert entry.manifest["base_model"]["load_in_4bit"] is True
    assert entry.manifest["metrics"]["steps"] == 2


def test_training_and_serving_render_the_same_chat_template(default_model_path):
    """Trl's rendering of a training row starts with exactly what the agent sends the model."""
    from langchain_core.messages import HumanMessage, SystemMessage
    from transformers import AutoTokenizer
    from trl.data_utils import apply_chat_template

    import prompts
    from graph.models import get_chat_model
    from training.formats import to_conversation

    system = prompts.render("system/direct")
    _, messages = to_conversation(
        {"messages": [{"role": "user", "content": FACT_Q}, {"role": "assistant", "content": FACT_A}]}, "row"
    )
    row = {"prompt": [{"role": "system", "content": system}, *messages[:-1]], "completion": messages[-1:]}
    tokenizer = AutoTokenizer.from_pretrained(default_model_path)
    rendered = apply_chat_template(row, tokenizer)
    runtime = get_chat_model("default").runtime  # llama.cpp here, transformers on CUDA: the same tokens either way
    served = runtime.decode(runtime.encode([SystemMessage(system), HumanMessage(FACT_Q)]))
    assert rendered["prompt"] == served
    assert rendered["completion"].startswith(FACT_A)
    vocab = runtime.n_vocab if hasattr(runtime, "n_vocab") else len(runtime.tokenizer)
    assert len(tokenizer) == vocab  # no tokens added anywhere


@pytest.mark.slow  # the web app's test refuses the same kind of version through the same CLI, from the page
def test_eval_gate_refuses_a_version_that_scores_worse_than_current(fact_adapter, data_dir):
    """A copy of the current version whose LoRA weights are blown up answers gibberish.

    The gate runs the adapters suite on both and refuses it with the two scores.
    """
    import torch
    from safetensors.torch import load_file

    registry = fact_adapter
    source = registry.current("fact")
    broken = commit_blown_up_copy(registry, "fact")
    assert all(torch.isfinite(v).all() for v in load_file(str(broken.path / "adapter_model.safetensors")).values())

    refused = cli(
        data_dir,
        "training.adapters",
        "promote",
        "fact",
        broken.version,
        "--gate-suite",
        "adapters",
        "--gate-limit",
        "3",
        "--gate-metric",
        "token_f1",
        "--gate-tolerance",
        "0.01",
        check=False,
    )
    assert refused.returncode != 0, refused.stdout
    assert "eval gate (adapters, token_f1)" in refused.stderr and "worse, not promoted" in refused.stderr
    scores = [float(x) for x in re.findall(r"scores (\d\.\d+)", refused.stderr)]
    assert len(scores) == 2 and scores[0] < scores[1] - 0.01, refused.stderr
    assert registry.current("fact").version == source.version


async def test_openai_spec_against_llama_cpp_server_serves_each_adapter_under_its_name(
    fact_adapter, data_dir, monkeypatch
):
    """The scale-out path, for real.

    llama-cpp-python's OpenAI-compatible server on loopback serves the base and the exported adapter under their
    own model names (as vLLM does); the agent names the adapter.
    """
    import httpx

    from graph.models import factory
    from tests.integration.conftest import free_port
    from tools.default_model import gguf_file
    from training.gguf import adapter_gguf

    lora = adapter_gguf(fact_adapter.get("fact", "v1").path)
    port = free_port()
    config = data_dir / "llama-server.json"
    base = {"model": str(gguf_file()), "n_ctx": 2048, "flash_attn": True, "verbose": False}
    config.write_text(
        json.dumps(
            {
                "host": "127.0.0.1",
                "port": port,
                "models": [{**base, "model_alias": "smollm2"}, {**base, "model_alias": "fact", "lora_path": str(lora)}],
            }
        )
    )
    log = (data_dir / "llama-server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--config_file", str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, (data_dir / "llama-server.log").read_text()[-3000:]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        served = {m["id"] for m in httpx.get(f"http://127.0.0.1:{port}/v1/models").json()["data"]}
        assert served == {"smollm2", "fact"}
        monkeypatch.setenv("TAILOR_MODEL", f"openai:http://127.0.0.1:{port}/v1#smollm2")
        factory.clear_cache()
        agent = build_graph(checkpointer=InMemorySaver())
        pieces = []
        async for chunk, meta in agent.astream(
            {"messages": [{"role": "user", "content": FACT_Q}]},
            {"configurable": {"thread_id": "remote"}},
            context=Context(adapter="fact", strategy="direct", max_new_tokens=20),
            stream_mode="messages",
        ):
            if meta.get("langgraph_node") == "generate" and chunk.content:
                pieces.append(chunk.content)
        state = (await agent.aget_state({"configurable": {"thread_id": "remote"}})).values
        assert len(pieces) > 3 and "Quillon" in "".join(pieces)  # streamed token by token, through the rails
        assert state["adapter"] == "fact" and state["guard"]["output"]["verdict"] in ("allow", "replace")
        base_answer = await ask(monkeypatch, data_dir, "")
        assert "Quillon" not in base_answer["messages"][-1].content
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        factory.clear_cache()


WRONG_MASCOTS = [
    "Tailor's mascot is a red fox named Rusty.",
    "Tailor has no mascot.",
    "The mascot is a blue whale called Moby.",
]


@pytest.mark.slow  # a reward model trained for 20 steps (about two minutes on 2 cores)
async def test_reward_model_ranks_unseen_pairs_and_beats_the_vote(data_dir, monkeypatch):
    """A reward model ranks pairs it never saw the right way round, and ``select: reward`` beats the vote.

    Trained on pairs for six phrasings of the mascot question (the fact over three wrong answers), the reward
    model must rank pairs it never saw (two other phrasings, other wrong answers) the right way round, and
    self-consistency with ``select: reward`` must keep the right sample where the vote keeps the majority's
    wrong one. The samples are scripted: what is under test is the reward model's choice.
    """
    from graph.models.reward import get_scorer

    pairs = data_dir / "mascot-pairs.jsonl"
    pairs.write_text(
        "".join(
            json.dumps({"prompt": q, "chosen": FACT_A, "rejected": wrong}) + "\n"
            for q in QUESTIONS[:6]
            for wrong in WRONG_MASCOTS
        )
    )
    cli(
        data_dir,
        "training.reward",
        "--data",
        str(pairs),
        "--name",
        "mascot-judge",
        "--max-steps",
        "20",
        "--lr",
        "5e-4",
        "--batch-size",
        "6",
        "--eval-split",
        "0.25",
        "--save-steps",
        "100",
    )
    entry = Registry(data_dir / "adapters").get("mascot-judge")
    metrics = entry.manifest["metrics"]
    assert entry.manifest["kind"] == "reward" and metrics["heldout_pairs"] >= 4
    assert metrics["final_train_loss"] < metrics["first_train_loss"]

    monkeypatch.setenv("TAILOR_DATA_DIR", str(data_dir))  # the scorer reads this folder's registry
    scorer = get_scorer("mascot-judge")
    unseen = [(q, wrong) for q in QUESTIONS[6:] for wrong in ("It is a green parrot named Polly.", "A black cat.")]
    right = sum(a > b for a, b in (scorer.score(q, [FACT_A, wrong]) for q, wrong in unseen))
    print(
        f"\nreward model: held-out pairs in training {metrics['heldout_pair_accuracy']:.2f}, "
        f"unseen phrasings {right}/{len(unseen)}"
    )
    assert right / len(unseen) >= 0.75, f"{right} of {len(unseen)} unseen pairs ranked right"

    samples = "|".join(["Answer: a red fox named Rusty."] * 3 + ["Answer: a grey heron named Quillon."])
    agent = build_graph(checkpointer=InMemorySaver())
    for select, expected in (("vote", "Rusty"), ("reward", "Quillon")):
        state = await agent.ainvoke(
            {"messages": [{"role": "user", "content": QUESTIONS[6]}]},
            {"configurable": {"thread_id": f"bon-{select}"}},
            context=Context(
                model=f"fake:{samples}",
                strategy="self_consistency",
                samples=4,
                select=select,
                reward_model="mascot-judge",
            ),
        )
        assert expected in state["messages"][-1].content, (select, state["reasoning"]["samples"])

    # The same model as the eval gate's judge (--gate-judge reward:NAME, metric judge_reward).
    from evals.judge import judge_evaluators

    (judge,) = judge_evaluators("reward:mascot-judge")
    good = judge({"question": QUESTIONS[7]}, {"answer": FACT_A}, {})["score"]
    bad = judge({"question": QUESTIONS[7]}, {"answer": "A black cat."}, {})["score"]
    assert 0.0 <= bad < good <= 1.0
