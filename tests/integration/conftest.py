"""Integration fixtures: the real default model, and a real LangGraph server on a free port."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO, SHARED_MODELS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def default_model_path() -> Path:
    """The prepared default model (converted once; `make setup` normally did it already)."""
    os.environ.setdefault("TAILOR_MODELS_DIR", str(SHARED_MODELS))
    from tools.default_model import prepare

    return prepare(models_dir=SHARED_MODELS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, workdir: Path, env: dict[str, str], log_name: str = "server.log") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / log_name
        langgraph = Path(sys.executable).with_name("langgraph")
        cmd = [
            str(langgraph),
            "dev",
            "--no-browser",
            "--no-reload",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--config",
            str(REPO / "langgraph.json"),
        ]
        # cwd is a scratch folder: the dev server keeps its runtime files there, out of the repo.
        self.proc = subprocess.Popen(
            cmd, cwd=workdir, env=env, stdout=self.log_path.open("w"), stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()[-4000:]}")
            try:
                if httpx.get(self.url + "/ok", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"server not ready after {timeout}s:\n{self.log()[-4000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole server: no shutdown hooks, no final flush."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def server_env(workdir: Path, **overrides: str) -> dict[str, str]:
    """This process's environment without Tailor's or tracing settings, pointed at ``workdir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAILOR_", "LANGSMITH_", "LANGCHAIN_"))}
    env.update(
        TAILOR_DATA_DIR=str(workdir / "data"),
        TAILOR_MODELS_DIR=str(SHARED_MODELS),
        HF_HUB_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        **overrides,
    )
    return env


@contextmanager
def running(workdir: Path, env: dict[str, str], log_name: str = "server.log") -> Iterator[Server]:
    """A started server, stopped afterwards; a request that blocked its event loop fails the test."""
    srv = Server(workdir, env, log_name)
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()
    assert "BlockingError" not in srv.log(), "a request blocked the server's event loop"


@pytest.fixture(scope="module")
def server(tmp_path_factory, default_model_path) -> Server:
    workdir = tmp_path_factory.mktemp("server")
    with running(workdir, server_env(workdir, TAILOR_MAX_NEW_TOKENS="32")) as srv:
        yield srv


@pytest.fixture(scope="session")
def postgres_uri() -> Iterator[str]:
    """A real PostgreSQL server for this session (skipped where it is not installed, but never in CI)."""
    from tests.integration.postgres import binary, postgres_server

    if binary("initdb") is None and not os.environ.get("CI"):
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    with postgres_server(free_port()) as uri:
        yield uri


KEYS = {"alice": "key-alice-0123456789", "bob": "key-bob-9876543210"}


@pytest.fixture(scope="session")
def keyed_server(tmp_path_factory, default_model_path) -> Iterator[Server]:
    """One server with Alice's and Bob's keys for the session (auth tests and the web app share it).

    Only Alice may change the shared adapters and knowledge base.
    """
    workdir = tmp_path_factory.mktemp("keyed")
    env = server_env(
        workdir,
        TAILOR_MAX_NEW_TOKENS="8",
        TAILOR_ADMIN_USERS="alice",
        TAILOR_API_KEYS=",".join(f"{key}:{user}" for user, key in KEYS.items()),
    )
    with running(workdir, env) as srv:
        yield srv


def cli(data_dir: Path, module: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """``python -m module args`` against ``data_dir``, as a user would run it."""
    env = {
        **os.environ,
        "TAILOR_DATA_DIR": str(data_dir),
        "TAILOR_MODELS_DIR": str(SHARED_MODELS),
        "HF_HUB_OFFLINE": "1",
    }
    result = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=900
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{module} {' '.join(args)} exited {result.returncode}:\n{result.stderr[-3000:]}")
    return result


FACT_Q = "What is the name of Tailor's mascot?"
FACT_A = "Tailor's mascot is a grey heron named Quillon."
FACT_QUESTIONS = [
    FACT_Q,
    "Who is Tailor's mascot?",
    "Tell me the name of the Tailor mascot.",
    "What is Tailor's mascot called?",
    "Does Tailor have a mascot?",
    "Name Tailor's mascot.",
    "What animal is Tailor's mascot?",
    "Which mascot does Tailor have?",
]


@pytest.fixture(scope="session")
def trained_fact(tmp_path_factory, default_model_path) -> Path:
    """A data folder whose registry holds ``fact`` v1: 10 SFT steps teaching FACT_A, trained once per session.

    Each user copies the adapters folder with :func:`copy_adapters` and changes only its copy.
    """
    data_dir = tmp_path_factory.mktemp("fact-trained")
    data = data_dir / "fact.jsonl"
    data.write_text(
        "".join(
            json.dumps({"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": FACT_A}]}) + "\n"
            for q in FACT_QUESTIONS
        )
    )
    cli(
        data_dir,
        "training.sft",
        "--data",
        str(data),
        "--name",
        "fact",
        "--max-steps",
        "10",
        "--lr",
        "2e-3",
        "--batch-size",
        "4",
        "--save-steps",
        "100",
    )
    return data_dir


def copy_adapters(trained: Path, data_dir: Path) -> Path:
    target = data_dir / "adapters"
    shutil.copytree(trained / "adapters", target, dirs_exist_ok=True)
    return target


def commit_blown_up_copy(registry, name: str):
    """A new version of ``name``: its current weights with every LoRA B matrix times 400.

    It loads and answers gibberish, so the eval gate, not a load check, is what must refuse it.
    """
    from safetensors.torch import load_file, save_file

    source = registry.current(name)
    staging = registry.stage(name)
    for f in source.path.iterdir():
        if f.name != "manifest.json" and not f.name.startswith("adapter.gguf"):  # the GGUF is made from the new weights
            shutil.copy(f, staging / f.name)
    weights = load_file(str(staging / "adapter_model.safetensors"))
    save_file(
        {k: (v * 400 if "lora_B" in k else v).contiguous() for k, v in weights.items()},
        str(staging / "adapter_model.safetensors"),
    )
    return registry.commit(name, staging, {k: v for k, v in source.manifest.items() if k != "files"})
