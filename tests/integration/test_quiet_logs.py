"""Commands print what they did, not third-party noise: no warnings, no per-model loading bars."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.integration

NOISE = ("Warning", "warn(", "Loading weights", "Failed to load")


@pytest.mark.parametrize(
    "command",
    [
        ["tools.guard", "scan", "What is the capital of France?"],  # loads the embedding model and the banks
        ["tools.kb", "list"],
    ],
)  # the eval CLIs are checked the same way in test_knowledge_base
def test_commands_print_no_third_party_noise(command, isolated_data_dir):
    result = subprocess.run([sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    noisy = [line for line in result.stderr.splitlines() if any(word in line for word in NOISE)]
    assert not noisy, noisy


def test_the_bitsandbytes_hub_kernel_warning_is_turned_down_before_it_loads():
    import tools  # noqa: F401 - every command imports it first

    assert not logging.getLogger("bitsandbytes.backends.cpu.ops").isEnabledFor(logging.WARNING)
