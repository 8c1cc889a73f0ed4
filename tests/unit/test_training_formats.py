import json

import pytest

from training.formats import DataError, detect_format, load_preferences, load_sft


def write(tmp_path, rows, name="d.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


@pytest.mark.parametrize(
    "row,fmt",
    [
        ({"messages": []}, "messages"),
        ({"conversations": []}, "sharegpt"),
        ({"instruction": "a", "output": "b"}, "alpaca"),
        ({"prompt": "a", "completion": "b"}, "prompt_completion"),
        ({"text": "a"}, "text"),
        ({"prompt": "a", "chosen": "b", "rejected": "c"}, "preference"),
    ],
)
def test_detect_format(row, fmt):
    assert detect_format(row) == fmt


def test_every_chat_format_becomes_the_same_conversation(tmp_path):
    path = write(
        tmp_path,
        [
            {"messages": [{"role": "user", "content": "Q1"}, {"role": "assistant", "content": "A1"}]},
            {"conversations": [{"from": "human", "value": "Q2"}, {"from": "gpt", "value": "A2"}]},
            {"instruction": "Q3", "input": "ctx", "output": "A3"},
            {"prompt": "Q4", "completion": "A4"},
            {"text": "### Human: Q5 ### Assistant: A5"},
        ],
    )
    rows, stats = load_sft([path], system_prompt="SYS")
    assert stats.kept == 5 and stats.formats == {
        "messages": 1,
        "sharegpt": 1,
        "alpaca": 1,
        "prompt_completion": 1,
        "text_turns": 1,
    }
    for i, row in enumerate(rows, start=1):
        assert row["prompt"][0] == {"role": "system", "content": "SYS"}
        assert row["prompt"][-1]["role"] == "user" and row["prompt"][-1]["content"].startswith(f"Q{i}")
        assert row["completion"] == [{"role": "assistant", "content": f"A{i}"}]
    assert rows[2]["prompt"][-1]["content"] == "Q3\n\nctx"


def test_duplicates_and_empty_rows_are_dropped_with_counts(tmp_path):
    good = {"prompt": "Q", "completion": "A"}
    path = write(
        tmp_path,
        [
            good,
            good,
            {"prompt": "Q2", "completion": "  "},
            {"instruction": "", "output": "x"},
            {"prompt": "Q3", "completion": "A3"},
        ],
    )
    rows, stats = load_sft([path])
    assert (stats.rows, stats.kept, stats.dropped_duplicates, stats.dropped_empty) == (5, 2, 1, 2)
    assert len(stats.fingerprint) == 64


@pytest.mark.parametrize(
    "row,message",
    [
        ({"instruction": "x"}, r"d\.jsonl:2: Alpaca row is missing field 'output'"),
        ({"messages": [{"role": "user"}]}, r"d\.jsonl:2: messages\[0\] is missing field 'role' or 'content'"),
        ({"messages": [{"role": "wizard", "content": "x"}]}, r"d\.jsonl:2: messages\[0\] has role 'wizard'"),
        ({"conversations": [{"from": "human"}]}, r"d\.jsonl:2: conversations\[0\] is missing field 'from' or 'value'"),
        ({"prompt": "x"}, r"d\.jsonl:2: prompt/completion row is missing field 'completion'"),
        ({"colour": "red"}, r"d\.jsonl:2: unknown row format with fields colour"),
        ("{broken", r"d\.jsonl:2: not valid JSON"),
    ],
)
def test_errors_name_file_line_and_field(tmp_path, row, message):
    path = write(tmp_path, [{"prompt": "ok", "completion": "ok"}, row])
    with pytest.raises(DataError, match=message):
        load_sft([path])


def test_plain_text_rows_train_as_text_but_do_not_mix(tmp_path):
    rows, _ = load_sft([write(tmp_path, [{"text": "Just some prose."}])])
    assert rows == [{"text": "Just some prose."}]
    mixed = write(tmp_path, [{"text": "prose"}, {"prompt": "Q", "completion": "A"}], "m.jsonl")
    with pytest.raises(DataError, match="cannot be mixed"):
        load_sft([mixed])


def test_preferences_strings_and_message_lists(tmp_path):
    path = write(
        tmp_path,
        [
            {"prompt": "Q", "chosen": "good", "rejected": "bad"},
            {
                "prompt": [{"role": "user", "content": "Q2"}],
                "chosen": [{"role": "assistant", "content": "g"}],
                "rejected": [{"role": "assistant", "content": "b"}],
            },
            {"prompt": "Q", "chosen": "same", "rejected": "same"},
            {"prompt": "Q", "chosen": "good", "rejected": "bad"},
        ],
    )
    rows, stats = load_preferences([path])
    assert (stats.kept, stats.dropped_empty, stats.dropped_duplicates) == (2, 1, 1)
    assert rows[0]["chosen"] == [{"role": "assistant", "content": "good"}]
    with pytest.raises(DataError, match=r"p\.jsonl:1: preference row is missing field 'rejected'"):
        load_preferences([write(tmp_path, [{"prompt": "Q", "chosen": "c"}], "p.jsonl")])


def test_preference_rows_are_refused_for_sft(tmp_path):
    with pytest.raises(DataError, match="use it with training.dpo"):
        load_sft([write(tmp_path, [{"prompt": "Q", "chosen": "c", "rejected": "r"}])])


def test_bundled_sample_data_is_valid():
    from training.config import DATA_DIR

    sft, sft_stats = load_sft([DATA_DIR / "sft.jsonl"])
    prefs, pref_stats = load_preferences([DATA_DIR / "preferences.jsonl"])
    assert sft_stats.kept >= 40 and pref_stats.kept >= 20
    assert sft_stats.dropped_duplicates == pref_stats.dropped_duplicates == 0
