"""Which checkpointer the server uses, and the errors for settings that cannot work."""

from __future__ import annotations

import subprocess
import sys

import pytest

from graph.persistence import choose_backend, redact_uri
from tests.conftest import REPO
from tools.settings import Settings, SettingsError


@pytest.mark.parametrize(
    ("env", "edition", "expected"),
    [
        ({}, "inmem", "sqlite"),
        ({"TAILOR_POSTGRES_URI": "postgresql://u@h/db"}, "inmem", "postgres"),
        ({}, "postgres", "platform"),  # `langgraph up` / the platform: its own database, shared by replicas
        ({"TAILOR_POSTGRES_URI": "postgresql://u@h/db"}, "postgres", "platform"),
        ({"TAILOR_CHECKPOINTER": "sqlite", "TAILOR_POSTGRES_URI": "postgresql://u@h/db"}, "inmem", "sqlite"),
        ({"TAILOR_CHECKPOINTER": "platform"}, "inmem", "platform"),
    ],
)
def test_the_backend_follows_the_setting_then_the_runtime_then_the_uri(monkeypatch, env, edition, expected):
    for name in ("TAILOR_CHECKPOINTER", "TAILOR_POSTGRES_URI"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert choose_backend(Settings(), edition) == expected


def test_settings_that_cannot_work_say_what_to_set(monkeypatch):
    monkeypatch.delenv("TAILOR_POSTGRES_URI", raising=False)
    monkeypatch.setenv("TAILOR_CHECKPOINTER", "mysql")
    with pytest.raises(SettingsError, match="not one of auto, sqlite, postgres, platform"):
        Settings()
    monkeypatch.setenv("TAILOR_CHECKPOINTER", "postgres")
    with pytest.raises(SettingsError, match="needs TAILOR_POSTGRES_URI"):
        Settings()


def test_passwords_never_reach_messages():
    assert redact_uri("postgresql://tailor:pw@db:5432/x") == "postgresql://tailor:***@db:5432/x"
    assert redact_uri("postgresql://tailor@db/x") == "postgresql://tailor@db/x"


def test_the_platform_choice_yields_the_runtimes_own_saver(tmp_path):
    # In a child process in a scratch folder: the in-memory runtime's saver writes files where it starts.
    code = (
        "import asyncio, os\n"
        "os.environ['LANGGRAPH_RUNTIME_EDITION'] = 'inmem'\n"
        "os.environ['TAILOR_CHECKPOINTER'] = 'platform'\n"
        "os.environ.setdefault('REDIS_URI', 'unused')  # the API's config asks; the in-memory runtime never connects\n"
        "from graph.persistence import checkpointer\n"
        "from langgraph_runtime_inmem.checkpoint import InMemorySaver\n"
        "async def main():\n"
        "    async with checkpointer() as saver:\n"
        "        print(type(saver).__name__, isinstance(saver, InMemorySaver))\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "TAILOR_DATA_DIR": str(tmp_path)},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-1] == "True"
    assert not (tmp_path / "server" / "checkpoints.sqlite").exists()
