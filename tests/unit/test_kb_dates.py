"""Days a question asks about and the date ranges pages give: "in August" is the summer row, Boxing Day is 26 December."""

import pytest

from tests.kb_pages import alike, as_documents
from tools.kb import dates, entities, evidence

HOURS = """# Opening times

## Safari Park

| Season | Dates | Park open | Last entry |
|---|---|---|---|
| Spring | 14 February – 31 May | 10:00 – 17:00 | 15:30 |
| Summer | 1 June – 6 September | 09:30 – 18:00 | 16:30 |
| Winter | 2 November – 13 February | 10:00 – 16:00 | 14:30 |

## Christmas

The Safari Park is closed on 24, 25 and 26 December.
"""


def _docs():
    return as_documents(HOURS, title="Opening times", source="hours.md")


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("what time does it open in August?", [((8, 1), (8, 31))]),
        ("open on Boxing Day?", [((12, 26), (12, 26))]),
        ("hours on 3rd March", [((3, 3), (3, 3))]),
        ("may I bring my dog in May?", [((5, 1), (5, 31))]),  # the verb is no month, the month after "in" is
        ("can I march in with a pram?", []),
    ],
)
def test_the_days_a_question_asks_about(question, asked):
    assert [(d.start, d.end) for d in dates.asked(question)] == asked


def test_a_range_covers_the_days_inside_it_and_wraps_past_new_year():
    winter = "Winter: 2 November – 13 February"
    assert dates.covers(winter, dates.asked("in December")) is True
    assert dates.covers(winter, dates.asked("in January")) is True
    assert dates.covers(winter, dates.asked("in August")) is False
    assert dates.covers("open all year", dates.asked("in August")) is None  # no range: says nothing either way
    assert [(s.start, s.end) for s in dates.spans("April to October")] == [((4, 1), (10, 31))]


def test_a_month_asked_is_answered_by_the_row_whose_dates_hold_it():
    found = evidence.gather("what time is last entry at the safari park in August?", _docs(), alike)
    assert found.answerable and "16:30" in found.sentences[0].text
    found = evidence.gather("safari park last entry in december?", _docs(), alike)
    assert found.answerable and "14:30" in found.sentences[0].text


def test_a_holiday_is_said_by_its_date():
    assert dates.holidays_dated("open on boxing day?") == "open on boxing day (26 December)?"
    found = evidence.gather("can we go to the safari park on boxing day?", _docs(), alike)
    assert found.answerable and "26 December" in found.sentences[0].text
    assert not evidence.gather("is the safari park open on easter monday?", _docs(), alike).answerable
    # written as a name, it is still a date: no page need say "Boxing Day"
    assert [n.text for n in entities.named_in("Is the Safari Park open on Boxing Day?", [])] == ["Safari Park"]
