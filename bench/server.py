"""A real ``langgraph dev`` for the benchmarks that need one (soak, web app), on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def local_server(env_overrides: dict[str, str], prefix: str = "tailor-bench-") -> Iterator[tuple[str, int]]:
    """A real ``langgraph dev`` on a free loopback port in a scratch folder: (url, process group)."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LANGSMITH_", "LANGCHAIN_"))}
        env.update({"TAILOR_DATA_DIR": scratch, "TAILOR_API_KEYS": "", "HF_HUB_OFFLINE": "1", **env_overrides})
        env.setdefault("TAILOR_MODELS_DIR", str(REPO / ".tailor" / "models"))
        langgraph = Path(sys.executable).with_name("langgraph")
        log = Path(scratch) / "server.log"
        proc = subprocess.Popen(
            [
                str(langgraph),
                "dev",
                "--no-browser",
                "--no-reload",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--config",
                str(REPO / "langgraph.json"),
            ],
            cwd=scratch,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    raise RuntimeError(f"the server exited early:\n{log.read_text()[-3000:]}")
                try:
                    if httpx.get(url + "/ready", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            else:
                raise TimeoutError(f"the server was not ready in 300 s:\n{log.read_text()[-3000:]}")
            yield url, proc.pid
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
