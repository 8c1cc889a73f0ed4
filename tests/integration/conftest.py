"""Integration fixtures: the real default model, and a real LangGraph server on a free port."""

from __future__ import annotations

import os
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
        cmd = [str(langgraph), "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1", "--port", str(self.port),
               "--config", str(REPO / "langgraph.json")]
        # cwd is a scratch folder: the dev server keeps its runtime files there, out of the repo.
        self.proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=self.log_path.open("w"),
                                     stderr=subprocess.STDOUT, start_new_session=True)

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
    env.update(TAILOR_DATA_DIR=str(workdir / "data"), TAILOR_MODELS_DIR=str(SHARED_MODELS),
               HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", **overrides)
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
