import io
import json

import pytest

from graph.answer import RESULT_KEYS
from graph.chat import InputError, main, parse_args, read_rows, run


def test_read_rows_names_the_bad_line():
    rows = io.StringIO('{"message": "a"}\n\n{"msg": "b"}\n')
    reader = read_rows(rows, "q.jsonl")
    assert next(reader) == "a"
    with pytest.raises(InputError, match=r'q\.jsonl:3: missing string field "message"'):
        next(reader)
    with pytest.raises(InputError, match=r"q\.jsonl:1: not valid JSON"):
        list(read_rows(io.StringIO("{oops\n"), "q.jsonl"))


async def test_json_output_has_every_field_and_keeps_the_thread(tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"message": "first"}\n{"message": "second"}\n')
    out = io.StringIO()
    assert await run(parse_args(["--input", str(questions), "--json", "--model", "fake:echo"]), out) == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["answer"] for line in lines] == ["echo: first", "echo: second"]
    assert all(tuple(line) == RESULT_KEYS for line in lines)


async def test_route_only_prints_the_route():
    out = io.StringIO()
    await run(parse_args(["--message", "hi", "--route-only", "--model", "fake:echo"]), out)
    assert out.getvalue().startswith("direct: ")


async def test_single_message_streams_the_answer():
    out = io.StringIO()
    await run(parse_args(["-m", "stream me", "--model", "fake:echo"]), out)
    assert out.getvalue() == "echo: stream me\n"


def test_bad_strategy_exits_2_with_valid_values(capsys):
    assert main(["-m", "hi", "--strategy", "nope"]) == 2
    assert "valid values: auto, direct" in capsys.readouterr().err
