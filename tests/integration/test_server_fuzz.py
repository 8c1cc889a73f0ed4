"""Property-based fuzzing of the server's own OpenAPI schema: no generated request may get a 5xx.

Bounded to the operations that take user input (threads, runs, state, search) and a fixed number
of examples each, on a fake model, so it runs in well under a minute.
"""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from tests.integration.conftest import running, server_env

KEY = "key-fuzz-0123456789"
# Input-bearing operations; streams and joins are left out (they wait on runs by design).
OPERATIONS = (
    r"^/(threads|threads/search|threads/\{thread_id\}|threads/\{thread_id\}/state|threads/\{thread_id\}/history"
    r"|threads/\{thread_id\}/runs|threads/\{thread_id\}/runs/wait|runs/wait|assistants/search|store/items/search|feedback)$"
)


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("fuzz")
    with running(workdir, server_env(workdir, TAILOR_MODEL="fake:echo", TAILOR_API_KEYS=f"{KEY}:fuzzer")) as srv:
        yield srv


@pytest.mark.slow
def test_no_generated_request_gets_a_server_error(fuzz_server):
    from schemathesis.generation import GenerationMode

    schema = schemathesis.openapi.from_url(fuzz_server.url + "/openapi.json").include(path_regex=OPERATIONS)
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = [op.label for op in operations]
    assert len(operations) >= 10 and "POST /feedback" in labels, labels
    server_errors: list[str] = []
    calls = 0

    # Schemathesis' pytest plugin does not run under this pytest; its strategies are driven directly.
    def fuzz(operation, mode) -> None:
        @settings(
            max_examples=8, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case):
            nonlocal calls
            calls += 1
            response = case.call(base_url=fuzz_server.url, headers={"x-api-key": KEY}, timeout=30)
            if response.status_code >= 500:
                server_errors.append(
                    f"{case.method} {case.formatted_path} ({mode.value}) -> "
                    f"{response.status_code}: body {case.body!r:.300} query {case.query!r:.100}"
                )

        try:
            call()
        except Unsatisfiable:
            pass  # e.g. no invalid form exists for an operation without inputs

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(operation, mode)
    assert calls >= 4 * len(operations)
    assert not server_errors, "\n".join(server_errors)


@pytest.mark.slow
def test_server_is_healthy_after_fuzzing(fuzz_server):
    assert httpx.get(fuzz_server.url + "/ok", timeout=5).status_code == 200
    response = httpx.post(
        fuzz_server.url + "/runs/wait",
        headers={"x-api-key": KEY},
        timeout=30,
        json={"assistant_id": "agent", "input": {"messages": [{"role": "user", "content": "Hello"}]}},
    )
    assert response.status_code == 200 and response.json()["messages"][-1]["type"] == "ai"
