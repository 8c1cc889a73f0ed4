from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.messages.utils import count_tokens_approximately

from graph.history import fit_history


def _thread(turns: int) -> list:
    messages = []
    for i in range(turns):
        messages += [HumanMessage(f"question {i} " + "word " * 30), AIMessage(f"answer {i} " + "word " * 30)]
    messages.append(HumanMessage("the latest question"))
    return messages


def test_long_thread_is_trimmed_to_budget_keeping_system_and_latest():
    system = SystemMessage("be brief")
    kept = fit_history(system, _thread(50), count_tokens_approximately, budget=400)
    assert kept[0] is system
    assert kept[-1].content == "the latest question"
    assert count_tokens_approximately(kept) <= 400
    assert 3 <= len(kept) < 101
    assert kept[1].type == "human"  # never starts mid-turn with an orphan answer


def test_short_thread_is_kept_whole():
    history = _thread(2)
    kept = fit_history(SystemMessage("s"), history, count_tokens_approximately, budget=10_000)
    assert kept[1:] == history


def test_oversized_latest_message_is_shortened_not_dropped():
    system = SystemMessage("s")
    huge = HumanMessage("BEGIN " + "filler " * 5000 + " END")
    kept = fit_history(system, [huge], count_tokens_approximately, budget=300)
    assert len(kept) == 2
    assert count_tokens_approximately(kept) <= 300
    assert kept[1].content.startswith("BEGIN") and kept[1].content.endswith("END")
