"""Periods a page defines once and its tables use by name: a "Peak 2026" row holds 18 August and the summer."""

from tests.kb_pages import alike, as_documents
from tools.kb import evidence, periods

PRICES = """# Prices 2026

## 2026 seasons

- **Peak 2026:** 28 March to 12 April 2026 (Easter holidays) and 23 May to 13 September 2026 (the summer holidays).
- **Off-peak 2026:** every other date in 2026.

## Fell Centre: Peak 2026

| | Adult | Child |
|---|---|---|
| Ghyll scrambling | £52 | £37 |

## Fell Centre: Off-peak 2026

| | Adult | Child |
|---|---|---|
| Ghyll scrambling | £44 | £31 |
"""

FEES = """# Green fees

- **Summer season:** 1 April 2026 to 31 October 2026
- **Winter season:** 1 January 2026 to 31 March 2026, and again from 1 November 2026 to 31 December 2026

| Player type | Summer weekday | Winter weekday |
|---|---|---|
| Senior (65+) | £38 | £24 |

Paddleboarding: 1.5 hours, from April to October.
Open: 1 April to 31 October, 9am to 5pm.
Sailing runs from April to October.
The café is open from 9am. Gorse Room hours are 8:00 to 16:00.
"""


def _docs(page):
    return as_documents(page, title="Prices", source="prices.md")


def test_a_period_is_defined_by_a_label_and_dates_first():
    defined = periods.definitions(FEES)
    assert set(defined) == {"Summer", "Winter"}  # "season" says it is a period, not which one
    assert defined["Summer"].startswith("Summer season: 1 April 2026")
    # an activity with a season is no period, nor a time of day
    assert "Paddleboarding" not in defined and "Gorse Room" not in defined
    assert "Open" not in defined and "Sailing" not in defined  # when something is open or runs: no period's name
    table = "| Season | Dates |\n|---|---|\n| Low | 6 January – 27 March 2025 |\n| High | 23 May – 14 September 2025 |"
    assert set(periods.definitions(table)) == {"Low", "High"}


def test_a_chunk_carries_the_definitions_of_the_periods_it_names_and_no_others():
    rows = {d["section"]: d for d in _docs(PRICES) if "Ghyll" in d["text"]}
    assert rows["Prices 2026 > Fell Centre: Peak 2026"]["periods"].startswith("Peak 2026: 28 March")
    assert rows["Prices 2026 > Fell Centre: Off-peak 2026"]["periods"] == ""  # "Off-peak 2026" is not "Peak 2026"
    assert periods.named_in("open in the summer", periods.definitions(FEES)) == []  # a one-word label is a name


def test_a_date_or_season_asked_is_read_in_the_periods_a_row_names():
    docs = _docs(PRICES)
    found = evidence.gather("how much is ghyll scrambling for an adult in the summer holidays?", docs, alike)
    assert found.answerable and "£52" in evidence.quoted(found.sentences[0])
    found = evidence.gather("price of ghyll scrambling for a child on 18 August?", docs, alike)
    assert found.answerable and "£37" in evidence.quoted(found.sentences[0])
    fees = _docs(FEES)
    found = evidence.gather("what's the senior green fee on a weekday in February?", fees, alike)
    assert found.answerable and "£24" in evidence.quoted(found.sentences[0])
    # without the definitions the same row does not say the summer
    bare = [{**d, "periods": ""} for d in docs]
    assert not evidence.gather(
        "how much is ghyll scrambling for an adult in the summer holidays?", bare, alike
    ).answerable


PRICES_2027 = """# Prices 2027

## 2027 seasons

- **Peak 2027:** 27 March to 11 April 2027 and 22 May to 12 September 2027.

## Water Centre: Off-peak 2027

| | Adult | Child |
|---|---|---|
| Sailing | £59 | £44 |

## Water Centre: Peak 2027

| | Adult | Child |
|---|---|---|
| Sailing | £68 | £50 |
"""


def test_a_row_of_another_years_figures_does_not_answer_a_year_asked():
    question = "How much is sailing for an adult at the end of July 2027?"
    last_year = [d for d in _docs(PRICES) if "Ghyll" in d["text"]]
    last_year = [{**d, "text": d["text"].replace("Ghyll scrambling", "Sailing")} for d in last_year]
    found = evidence.gather(question, last_year, alike)
    assert not found.answerable and "other years" in found.reason
    both = last_year + [{**d, "n": d["n"] + 100} for d in _docs(PRICES_2027)]
    found = evidence.gather(question, both, alike)
    # the 2027 rows answer: the peak one, whose dates hold the end of July
    assert found.answerable and "£68" in evidence.quoted(found.sentences[0])
