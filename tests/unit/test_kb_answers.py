"""Answers on documents with near-twin products and tables: table rows, names, evidence and tidy answers."""

import numpy as np
import pytest
from langchain_core.documents import Document

from graph.nodes.rag import cut_repetition, tidy
from tools.guard import grounding
from tools.kb import entities, evidence, focus, tables
from tools.kb.loaders import load_file
from tools.kb.splitting import split

PRICES = """# Price list

## Current products
Prices include VAT.

| Product | Price | Battery |
|---|---|---|
| Nest 2 | €149 | 14 h |
| Nest 2 Pro | €229 | 20 h |
| Nest Mini | €79 | |

Prices may change.
"""


def page_chunks(folder, name, html):
    """The chunk texts of one HTML page, written to ``folder`` and loaded and split as ingest does."""
    page = folder / name
    page.write_text(html)
    return [c.page_content for c in split(load_file(page), 1000, 100)]


def doc(n, text, title="", section=""):
    return {
        "n": n,
        "text": text,
        "title": title,
        "section": section,
        "source": f"{n}.md",
        "chunk_id": f"c{n}",
        "score": 0.5,
    }


def test_markdown_table_rows_become_chunks_that_name_their_columns():
    chunks = split([Document(page_content=PRICES, metadata={"source": "p.md", "format": "md"})], 1000, 100)
    texts = [c.page_content for c in chunks]
    assert "## Current products\nNest 2 Pro — Price: €229; Battery: 20 h." in texts
    assert "## Current products\nNest Mini — Price: €79." in texts  # the empty cell is left out
    assert not any("|" in t for t in texts)
    prose = next(t for t in texts if "Prices include VAT." in t)
    assert "Prices may change." in prose and "Nest 2" not in prose
    rows = [c for c in chunks if "Price:" in c.page_content]
    assert len(rows) == 3 and {c.metadata["section"] for c in rows} == {"Price list > Current products"}


def test_html_tables_are_read_row_by_row(tmp_path):
    texts = page_chunks(
        tmp_path,
        "fares.html",
        "<html><head><title>Fares</title></head><body><h1>Fares</h1><p>Valid from May.</p>"
        "<table><tr><th>Ticket</th><th>Adult</th><th>Concession</th></tr>"
        "<tr><td>Day ticket</td><td>6.40</td><td>3.20</td></tr>"
        "<tr><td>Single | zone A</td><td>2.10</td><td>1.05</td></tr></table></body></html>",
    )
    assert "## Fares\nDay ticket — Adult: 6.40; Concession: 3.20." in texts
    assert "## Fares\nSingle | zone A — Adult: 2.10; Concession: 1.05." in texts  # a pipe inside a cell stays in it


def test_two_tables_one_after_the_other_keep_their_own_headers(tmp_path):
    texts = page_chunks(
        tmp_path,
        "branches.html",
        "<html><body><h1>Branches</h1>"
        "<table><tr><th>Branch</th><th>Phone</th></tr><tr><td>Ashcroft</td><td>01632 960 287</td></tr></table>"
        "<table><tr><th>Branch</th><th>Price band</th></tr><tr><td>Ashcroft</td><td>B</td></tr></table>"
        "</body></html>",
    )
    assert "## Branches\nAshcroft — Phone: 01632 960 287." in texts
    assert "## Branches\nAshcroft — Price band: B." in texts  # not "Phone: B" under the first table's header
    assert not any("---" in t for t in texts)


def test_a_tables_caption_leads_its_rows_labels(tmp_path):
    texts = page_chunks(
        tmp_path,
        "fees.html",
        "<html><body><h1>Berth fees</h1>"
        "<table><caption>Quay Marina, per metre</caption><tr><th>Length</th><th>Annual</th></tr>"
        "<tr><td>Up to 8.0 m</td><td>£412</td></tr></table>"
        "<table><caption>Reach Marina, per metre</caption><tr><th>Length</th><th>Annual</th></tr>"
        "<tr><td>Up to 8.0 m</td><td>£368</td></tr></table></body></html>",
    )
    assert "## Berth fees\nQuay Marina per metre, Up to 8.0 m — Annual: £412." in texts
    assert "## Berth fees\nReach Marina per metre, Up to 8.0 m — Annual: £368." in texts
    rows = [doc(1, t.split("\n", 1)[1], "Fees", "Berth fees") for t in texts if "Annual" in t]
    found = evidence.gather("What's the annual fee at Reach Marina for a 7 m boat?", rows, _alike)
    assert found.answerable and "£368" in found.sentences[0].text and len(found.sentences) == 1, found


def test_a_row_that_names_a_group_heads_the_rows_below_it(tmp_path):
    texts = page_chunks(
        tmp_path,
        "prices.html",
        "<html><body><h1>Prices</h1><table><tr><th>Ticket</th><th>Peak</th><th>Off-peak</th></tr>"
        '<tr><th colspan="3">Eastgate</th></tr><tr><td>Adult</td><td>£14.50</td><td>£11.00</td></tr>'
        '<tr><th colspan="3">Riverside</th></tr><tr><td>Adult</td><td>£13.50</td><td>£10.50</td></tr>'
        "</table></body></html>",
    )
    assert "## Prices\nEastgate, Adult — Peak: £14.50; Off-peak: £11.00." in texts
    assert "## Prices\nRiverside, Adult — Peak: £13.50; Off-peak: £10.50." in texts
    assert not any(t.endswith("\nEastgate") for t in texts)  # the group's own row is no chunk


def test_a_bare_number_row_label_takes_its_column_name():
    assert tables.row_sentence(["Zone", "Adult"], ["1", "2.10"]) == "Zone 1 — Adult: 2.10."


@pytest.mark.parametrize(
    "asked, text, expected",
    [
        ("Nest 2", "Nest 2", entities.EXACT),
        ("Corvid Nest 2", "Nest 2", entities.SHORTER),
        ("Nest 2 Pro", "Corvid Nest 2 Pro", entities.SHORTER),
        ("Nest 2", "Nest 2 Pro", entities.LONGER),
        ("StoreCell 10", "StoreCell 10 Home Battery", entities.SHORTER),  # a description after it, not a twin
        ("Arc 400", "Arc 300", entities.CONFLICT),
        ("Nest 2 Max", "Nest 2", entities.CONFLICT),
        ("Arc 400", "Arc headphones", entities.UNNAMED),
        ("Arc 500", "the Arc 500s", entities.EXACT),
        ("Arc 500", "Bluetooth 5.3", entities.UNNAMED),
    ],
)
def test_names_are_compared_as_phrases(asked, text, expected):
    assert entities.level(entities.names(asked), entities.names(text)) == expected


def test_names_are_found_in_questions_written_in_lower_case():
    known = entities.names("The Corvid Arc 500 and the Arc 300.")
    assert [n.text for n in entities.named_in("what do the arc 500s go for?", known)] == ["Arc 500"]
    assert [n.text for n in entities.names("Battery life of the Nest Mini? It uses USB-C and v4.2.1.")] == [
        "Nest Mini",
        "USB-C",
        "v4.2.1",
    ]


TWINS = [
    doc(1, "## Nest 2 Pro\nThe Nest 2 Pro is rated IP67 and plays for 20 hours.", title="Corvid Nest 2 Pro"),
    doc(2, "## Nest Mini\nThe Nest Mini plays for up to 9 hours. It weighs 310 g.", title="Corvid Nest Mini"),
]


def test_evidence_takes_the_asked_twins_sentence():
    found = evidence.gather("How long does the Nest Mini play?", TWINS)
    assert found.answerable and found.names == ["Nest Mini"]
    assert found.sentences[0].n == 2 and "9 hours" in found.sentences[0].text


@pytest.mark.parametrize(
    "question, reason",
    [
        ("What is the IP rating of the Nest Mini?", "no sentence answers it"),  # only the twin's page has one
        ("How long does the Arc 400 play?", "do not mention Arc 400"),  # no such product
        ("Who is the CEO?", "do not mention CEO"),
    ],
)
def test_evidence_declines_what_the_sources_do_not_say(question, reason):
    found = evidence.gather(question, TWINS)
    assert not found.answerable and reason in found.reason


def test_a_question_for_a_number_or_a_date_needs_a_sentence_that_states_one():
    assert (
        "states the number" in evidence.gather("When did the Nest Mini come out?", TWINS, _alike).reason
    )  # numbers, no date
    facts = [doc(1, "## Nest Mini\nThe Nest Mini is made by hand. The Nest Mini is small.", title="Corvid Nest Mini")]
    assert "states the number" in evidence.gather("How much does the Nest Mini weigh?", facts, _alike).reason
    assert evidence.gather("How much does the Nest Mini weigh?", TWINS, _alike).sentences[0].text == "It weighs 310 g."


def test_evidence_reads_a_changelog_version_from_the_heading_above_the_fix():
    notes = [
        doc(
            1,
            "## 4.2.1 — 3 May 2024\nNest 2 Pro: fixed Wi-Fi not reconnecting after standby.\n"
            "## 4.2.0 — 1 April 2024\nAdded a night mode.",
            title="Firmware changelog",
        )
    ]
    found = evidence.gather("Which firmware version fixed the Wi-Fi reconnecting on the Nest 2 Pro?", notes)
    assert found.answerable and evidence.quoted(found.sentences[0]).startswith(
        "4.2.1 — 3 May 2024: Nest 2 Pro: fixed Wi-Fi"
    )


def test_evidence_uses_the_embedding_for_paraphrases():
    # both state a time, neither says "ring": only the meaning tells them apart
    docs = [
        doc(
            1,
            "## Support\nOur phone line opens at 9:00 on weekdays. The office paints its door at 18:00.",
            title="Support",
        )
    ]
    calls = []

    def embed(texts):  # stands in for MiniLM: the first sentence is the paraphrase of the question
        calls.append(texts)
        return np.array([[1.0, 0.0]] + [[0.9, 0.44] if "phone" in t else [0.0, 1.0] for t in texts[1:]])

    found = evidence.gather("From what time can I ring you?", docs, embed)
    assert calls and found.sentences[0].text.startswith("Our phone line opens at 9:00")


def test_tidy_drops_headings_tags_and_loops():
    assert tidy("## Company overview\n## Company motto\nOur motto is Listen closer.") == "Our motto is Listen closer."
    assert tidy('<source id="1">Answer: The dock costs €39.</source>') == "The dock costs €39."
    assert tidy("The head of support is **Rajan Velloso**.") == "The head of support is Rajan Velloso."
    looping = "The Nest 2 plays for 14 hours and the Nest 2 plays for 14 hours and the Nest 2 plays for 14 hours"
    assert cut_repetition(looping) == "The Nest 2 plays for 14 hours and"
    assert tidy("It costs €39. It costs €39. It costs €39.") == "It costs €39."


def test_a_plural_name_counts_where_the_sources_write_it_singular():
    hours = [doc(1, "## Opening hours\nOn Saturday the studio opens from 10:00 to 16:00.", title="Hours")]
    found = evidence.gather("Are you open on Saturdays, and until when?", hours)
    assert found.answerable and "16:00" in found.sentences[0].text
    assert "do not mention Sundays" in evidence.gather("Are you open on Sundays?", hours).reason


def test_a_count_or_a_price_must_be_of_what_was_asked():
    skua = [doc(1, "## MV Skua\nMV Skua carries up to 12 bicycles per sailing. MV Skua has 40 seats.", title="Fleet")]
    assert not evidence.gather("How many crew work on board MV Skua?", skua, _alike).answerable
    found = evidence.gather("How many bicycles can MV Skua take?", skua, _alike)
    assert found.answerable and "12 bicycles" in found.sentences[0].text
    panels = [doc(1, "## Arc 5\nThe Arc 5 takes up to 8kW of solar input.", title="Arc 5")]
    assert evidence.gather("How many kW of solar panels can the Arc 5 take?", panels, _alike).answerable
    fares = [doc(1, "## Fares\nAn adult single to Skerrow costs £7.40.", title="Fares")]
    assert evidence.gather("How much is an adult single to Skerrow?", fares, _alike).answerable
    assert not evidence.gather("How much is an adult single to Skerrow in euros?", fares, _alike).answerable


def test_the_kind_unit_and_period_asked_for_must_be_stated():
    maid = [
        doc(1, "## MV Skerrow Maid\nMV Skerrow Maid has 12 metres of turning space. She sails at 11 knots.", "Fleet"),
    ]
    assert not evidence.gather("How many wheelchair spaces are there on MV Skerrow Maid?", maid, _alike).answerable
    assert evidence.gather("How many turning spaces does MV Skerrow Maid have?", maid, _alike).answerable
    assert evidence.gather("What is MV Skerrow Maid's speed in knots?", maid, _alike).answerable
    assert not evidence.gather("What is MV Skerrow Maid's speed in km per hour?", maid, _alike).answerable
    parking = [doc(1, "## Parking\nThe car park at Port Ellan costs £7.50 per day or £35 per week.", "Parking")]
    assert evidence.gather("What does a week of parking at Port Ellan cost per week?", parking, _alike).answerable
    assert not evidence.gather("What does a monthly parking ticket at Port Ellan cost?", parking, _alike).answerable


def test_the_nearest_heading_speaks_for_a_sentence_before_the_pages_title():
    page = [
        doc(
            1,
            "## Kestrel GR3\nIts carbon frame weighs just 1,050 g in size M.",
            title="Kestrel GR2 and Kestrel GR3 gravel bikes",
            section="Kestrel GR3",
        )
    ]
    assert not evidence.gather("How much does the Kestrel GR2 frame weigh?", page).answerable
    assert evidence.gather("How much does the Kestrel GR3 frame weigh?", page).answerable
    assert entities.level(entities.names("gr2"), entities.names("the GR3")) == entities.CONFLICT  # one code for another


def test_each_asked_name_takes_the_nearest_pool_that_speaks_of_it():
    own, heading, page = entities.names("Fits the Rack 2."), [], entities.names("Kestrel GR3 accessories")
    wanted = entities.names("Kestrel GR3 with the Rack 2")
    assert entities.level(wanted, own, heading, page) == entities.EXACT  # the sentence names one, the page the other
    assert entities.level(wanted, own, entities.names("Kestrel GR2"), page) == entities.CONFLICT  # the heading first


def test_a_measure_is_not_a_name_but_a_models_number_stays_one():
    found = lambda text: [n.text for n in entities.names(text)]  # noqa: E731
    assert found("6ft3 (190 cm), what size do I need?") == []
    assert found("we arrived about 2 hours late on a 9 metre lorry, 25% over") == []
    assert found("I'm 175cm tall") == []
    assert found("The Arc 400 kW unit") == ["Arc 400 kW"]  # a number after a name word is the name's
    assert found("When was 3.4.1 released?") == ["3.4.1"]
    # so a sentence's "200 kg" does not speak of the "Model 200"
    levels = entities.level(entities.names("Model 200"), entities.names("It carries 200 kg."))
    assert levels == entities.UNNAMED


def test_a_when_question_about_a_version_is_answered_by_its_dated_heading():
    notes = (
        "## 3.4.1 — 9 November 2023\n\n- Fixed: the battery percentage could jump from 15% to 9%.\n\n"
        "## 3.4.0 — 24 October 2023\n\n- New: Hill Start gives extra help when you set off uphill."
    )
    found = evidence.gather("When was 3.4.1 released?", [doc(1, notes, title="Firmware release notes")])
    assert found.answerable and evidence.quoted(found.sentences[0]).startswith("3.4.1 — 9 November 2023:")
    assert not evidence.gather("When was 3.4.2 released?", [doc(1, notes)]).answerable


def test_a_measure_in_the_question_must_be_stated_or_held_by_a_range():
    chart = "## Kestrel sizes\n\n- M — Rider height: 167–177 cm; Frame: 50 cm.\n- L — Rider height: 177–187 cm; Frame: 54 cm."
    found = evidence.gather("I'm 180 cm, which Kestrel size should I get?", [doc(1, chart, title="Sizing")])
    assert found.answerable and found.sentences[0].text.startswith("L —")
    battery = "## Arc 300 battery\n\nThe Arc 300 plays for up to 30 hours, and a full charge takes about 2 hours."
    quick = evidence.gather("How much playback does a 10-minute charge give on the Arc 300?", [doc(1, battery)])
    assert not quick.answerable and "measure" in quick.reason
    assert evidence.gather("How long does a full charge take on the Arc 300?", [doc(1, battery)]).answerable


def test_a_version_named_with_its_app_is_found_under_the_bare_version():
    notes = "## 2.4.1 – 3 March 2025\n\n- Fixed: the app could crash when attaching a photo to a message."
    found = evidence.gather("When was PetBook 2.4.1 released?", [doc(1, notes, title="PetBook app – release notes")])
    assert found.answerable, found.reason
    # a bare count in a table is not the plan "Flex 15"
    plans = "## Plans\n\nFlex 10 — Monthly price: £189; Meeting-room credits: 15."
    assert "do not mention Flex 15" in evidence.gather("What is the monthly price of Flex 15?", [doc(1, plans)]).reason


def _alike(texts):  # every sentence as close to the question as can be: only the words decide
    return np.ones((len(texts), 2)) / np.sqrt(2)


def test_a_sentence_about_the_asked_thing_answers_before_one_about_others():
    timeline = [
        doc(
            1,
            "## Timeline\n- **1998** – Dr Ana Bell and Dr Tom Reed open the first clinic on Mill Lane, Ashby Marsh.\n"
            "- **2016** – Larkspur Vets Harrow Road opens in Kelby.",
            title="Our history",
        )
    ]
    found = evidence.gather("What year did the Harrow Road clinic open?", timeline, _alike)
    assert evidence.quoted(found.sentences[0]) == "2016 – Larkspur Vets Harrow Road opens in Kelby."  # no "**"
    assert len(found.sentences) == 1  # the 1998 line, about Mill Lane, is not quoted


def test_a_sentence_with_none_of_the_asked_words_does_not_answer():
    specs = [doc(1, "## Nest 2\nThe Nest 2 plays for up to 14 hours at moderate volume.", title="Corvid Nest 2")]
    found = evidence.gather("How loud can the Nest 2 go, in decibels?", specs, _alike)
    assert not found.answerable and "says" in found.reason and "decibel" in found.reason


@pytest.mark.parametrize(
    "question, sentence",
    [
        ("who runs it now, the chief exec?", "Hannah Leclerc is appointed Chief Executive."),  # written out
        ("who handles complaints", "Complaints are handled by Owen Pritchard."),  # another form
        ("what refridgerant is in the HeatCore 12", "The HeatCore 12 uses R290 as its refrigerant."),  # misspelt
        ("What email address should I use for care plans?", "Care Plans: careplans@larkspur.example"),  # a value
        ("what number do i ring at night", "Out of hours: 0333 014 7799"),
    ],
)
def test_asked_words_are_found_in_other_forms_and_as_the_value_they_ask_for(question, sentence):
    other = "Our team is friendly and the office has a red door."
    found = evidence.gather(question, [doc(1, f"## About\n{other} {sentence}", title="About")], _alike)
    assert found.answerable and found.sentences[0].text == sentence


def test_a_who_question_needs_a_sentence_that_names_somebody():
    question = "Who is the head nurse at Ashby North?"
    unnamed = [doc(1, "## Ashby North\nAshby North is staffed by our own vets and nurses.", title="Ashby North")]
    assert not evidence.gather(question, unnamed, _alike).answerable  # it names nobody but Ashby North
    named = [doc(1, "## Ashby North\nThe head nurse at Ashby North is Ruth Amos.", title="Ashby North")]
    assert evidence.gather(question, named, _alike).sentences[0].text.endswith("Ruth Amos.")


def test_a_table_row_with_an_abbreviation_stays_one_sentence():
    """A full stop after "Approx." does not end the row: the price stays with its row's label."""
    prices = [
        doc(1, "## Millbrook\n100 sq ft — Climate-controlled unit (per month): £172.00.", title="Prices"),
        doc(
            2,
            "## Kingsford\n100 sq ft — Approx. floor area: 10 ft × 10 ft; Standard unit (per month): £149.00.",
            title="Prices",
        ),
    ]
    assert grounding.sentences("Ask Dr. Amos, e.g. by phone. The answer is no. Next.") == [
        "Ask Dr. Amos, e.g. by phone.",
        "The answer is no.",
        "Next.",
    ]
    found = evidence.gather("how much is a 100 sq ft unit at kingsford a month?", prices, _alike)
    assert found.sentences[0].text.endswith("£149.00.")


def test_a_site_named_by_its_section_is_asked_for_even_in_lower_case():
    """'millbrook' is one word like others, but the sources give Millbrook a section: its prices are not Kingsford's.

    "Refunds" heading a section is still a word: the sources capitalise it only where it starts a sentence.
    """
    page = "Storage unit prices | Ashcombe"
    kingsford = doc(
        1, "## Kingsford\n200 sq ft — Standard unit (per month): £259.00.", page, "Storage unit prices > Kingsford"
    )
    millbrook = doc(
        2, "## Standard units\n150 sq ft — Standard unit: £199.00.", page, "Prices > Millbrook > Standard units"
    )
    sites = doc(3, "## Our sites\nWe store at Kingsford and Millbrook.", "Our sites", "Our sites")
    found = evidence.gather(
        "how much is a 200 sq ft unit at millbrook per month", [kingsford, millbrook, sites], _alike
    )
    assert not found.answerable and "Millbrook" in found.names
    found = evidence.gather(
        "how much is a 200 sq ft unit at kingsford per month", [kingsford, millbrook, sites], _alike
    )
    assert found.sentences[0].text.endswith("£259.00.")
    refunds = doc(1, "## Refunds\nRefunds are paid within 30 days.", "Billing", "Billing > Refunds")
    invoices = doc(2, "## Invoices\nInvoices are sent on the first day of the month.", "Billing", "Billing > Invoices")
    assert evidence.gather("when are invoices and refunds sent", [refunds, invoices], _alike).names == []


def test_a_section_beside_the_one_asked_for_does_not_answer():
    """A climate-controlled unit's price is not under "Standard units"; asked for neither kind, both may answer."""
    page = "Storage unit prices"
    standard = doc(
        1, "150 sq ft — Standard unit (per month): £215.00.", page, "Storage unit prices > Stanway > Standard units"
    )
    climate = doc(
        2,
        "50 sq ft — Climate-controlled unit (per month): £114.50.",
        page,
        "Storage unit prices > Stanway > Climate-controlled units",
    )
    asked = "price of a 150 sq ft climate-controlled unit?"
    found = evidence.gather(asked, [standard, climate], _alike)
    assert not found.answerable and "Standard units" in found.reason
    found = evidence.gather("price of a 150 sq ft standard unit?", [standard, climate], _alike)
    assert found.sentences[0].text.endswith("£215.00.")
    found = evidence.gather("price of a 150 sq ft unit?", [standard, climate], _alike)
    assert found.sentences[0].text.endswith("£215.00.")


def test_another_kind_of_the_asked_attribute_does_not_answer():
    """'Tail lift capacity' is not the towing capacity; a capacity asked without a kind is answered by it."""
    van = [
        doc(1, "The Mover XL has a tail lift capacity of 500 kg and seats three.", "Van hire", "Van hire > Mover XL")
    ]
    assert not evidence.gather("What's the towing capacity of the Mover XL?", van, _alike).answerable
    assert evidence.gather("What's the tail lift capacity of the Mover XL?", van, _alike).answerable
    assert evidence.gather("What's the capacity of the Mover XL?", van, _alike).answerable


def test_a_row_beside_the_one_asked_for_does_not_answer():
    """The concession price is not in the adult row of the same table, though it has every other asked word."""
    rows = [
        doc(1, "## Monthly memberships\nFlex Plus, Adult — Eastgate: £58.00 / month; Riverside: £55.00 / month."),
        doc(2, "## Monthly memberships\nFlex, Concession — Eastgate: £36.00 / month; Riverside: £33.00 / month."),
    ]
    found = evidence.gather("flex plus concession price per month at riverside?", rows, _alike)
    assert not found.answerable and "other rows" in found.reason
    found = evidence.gather("flex plus adult price per month at riverside?", rows, _alike)
    assert found.sentences[0].text.startswith("Flex Plus, Adult")


def test_a_height_or_a_weight_needs_a_measure_of_its_kind():
    """'8 auto-belays' is a count, not how high the wall is; '15.5 m' says it."""
    wall = [doc(1, "## Riverside\nRoped wall: 8 auto-belays and 6 top-rope lines.", "Centres", "Centres > Riverside")]
    assert not evidence.gather("how high is the roped wall at Riverside?", wall, _alike).answerable
    wall = [doc(1, "## Riverside\nRoped wall: max. height 15.5 m, 8 auto-belays.", "Centres", "Centres > Riverside")]
    assert evidence.gather("how high is the roped wall at Riverside?", wall, _alike).answerable


def test_a_duration_or_a_price_needs_a_value_of_its_kind():
    """'For under-12s' is a number, not how long a party lasts; '6 weeks' is not what a club costs."""
    party = [doc(1, "## Kids' parties\nParties are for under-12s, with up to 10 children.", "Parties", "Parties")]
    assert not evidence.gather("how long does a kids party last", party, _alike).answerable
    for said in ("Each party lasts two hours, for up to 10 children.", "Parties run for 90 minutes, for under-12s."):
        party = [doc(1, f"## Kids' parties\n{said}", "Parties", "Parties")]
        assert evidence.gather("how long does a kids party last", party, _alike).answerable, said
    club = [doc(1, "## Holiday clubs\nHoliday clubs run for 6 weeks in the summer holidays.", "Clubs", "Clubs")]
    assert not evidence.gather("how much are the holiday clubs?", club, _alike).answerable
    club = [doc(1, "## Holiday clubs\nHoliday clubs cost £30 a day for 6 weeks of the summer.", "Clubs", "Clubs")]
    assert evidence.gather("how much are the holiday clubs?", club, _alike).answerable


def test_a_kind_the_table_has_no_row_for_is_not_answered_by_the_other_rows():
    """Adult and concession rows do not price a junior pass; an adult pass is priced by its row."""
    rows = [
        doc(1, "## 10-visit passes\nAdult 10-visit pass — Eastgate: £120.00; Riverside: £112.00."),
        doc(2, "## 10-visit passes\nConcession 10-visit pass — Eastgate: £100.00; Riverside: £94.00."),
    ]
    found = evidence.gather("how much is a junior 10-visit pass at eastgate", rows, _alike)
    assert not found.answerable and "junior" in found.reason
    found = evidence.gather("how much is an adult 10-visit pass at eastgate", rows, _alike)
    assert found.sentences[0].text.startswith("Adult 10-visit pass")
    assert evidence.gather("how much is a 10-visit pass at eastgate", rows, _alike).answerable


def test_a_kind_of_one_rows_thing_that_no_row_lists_is_not_answered_by_that_row():
    """The table hires an alto saxophone, not a tenor one: "tenor" is where the row says "alto"."""
    rows = [
        doc(1, "## Hire prices\nAlto saxophone — Hire per term: £62; Deposit: £150."),
        doc(2, "## Hire prices\nClarinet — Hire per term: £38; Deposit: £90."),
    ]
    found = evidence.gather("how much to hire a tenor saxophone per term?", rows, _alike)
    assert not found.answerable and "tenor" in found.reason
    found = evidence.gather("how much to hire an alto saxophone per term?", rows, _alike)
    assert found.sentences[0].text.startswith("Alto saxophone")


def test_a_table_row_answers_only_a_question_that_speaks_of_its_label():
    """The trumpet's deposit is not a drum kit's; a question that says "trumpet" is answered by its row."""
    rows = [
        doc(1, "## Hire prices\nTrumpet — Hire per term: £40; Deposit: £70."),
        doc(2, "## Hire prices\nFlute — Hire per term: £45; Deposit: £80."),
    ]
    found = evidence.gather("what's the deposit to hire a drum kit?", rows, _alike)
    assert not found.answerable and "table row" in found.reason
    found = evidence.gather("what's the deposit to hire a trumpet?", rows, _alike)
    assert found.sentences[0].text.startswith("Trumpet")


def test_a_dash_in_a_table_cell_states_nothing():
    assert tables.row_sentence(["Course", "Max. group size", "Price"], ["Outdoor day", "—", "£85"]) == (
        "Outdoor day — Price: £85."
    )
    assert grounding.sentences("Learn to Lead — Max. group size: 4; Price: £95.") == [
        "Learn to Lead — Max. group size: 4; Price: £95."
    ]


def test_a_sentence_about_a_twin_place_does_not_answer_for_the_asked_one():
    """Asked in lower case about 'riverside', a sentence naming only the Eastgate twin does not answer."""
    team = [
        doc(1, "Open every day of the year.", "Centres", "Centres > Wrenholt Riverside"),
        doc(3, "Open every day but Christmas.", "Centres", "Centres > Wrenholt Eastgate"),
        doc(2, "## Meet the team\nGareth Wynne has been the Eastgate site manager since 2020.", "About"),
    ]
    found = evidence.gather("who is the site manager at riverside?", team, _alike)
    assert not found.answerable
    found = evidence.gather("who is the site manager at eastgate?", team, _alike)
    assert "Gareth Wynne" in found.sentences[0].text


def test_a_sentence_that_says_only_the_attribute_does_not_answer_for_another_subject():
    """A party's 'Price: £185' says a price, not what the holiday clubs cost; a club's own price does."""
    party = [doc(1, "## Eastgate party\nPrice: £185 for up to 10 children.", "Parties", "Parties > Kids' parties")]
    found = evidence.gather("how much are the easter holiday clubs for kids", party, _alike)
    assert not found.answerable and "holiday" in found.reason
    club = [doc(1, "## Holiday clubs\nPrice: £30 a day, lunch included.", "Youth", "Youth > Holiday clubs")]
    assert evidence.gather("how much are the easter holiday clubs for kids", club, _alike).answerable


def test_a_who_question_for_a_role_needs_a_sentence_that_says_the_role():
    """The founders are not the head of marketing; the head of marketing's own line answers."""
    about = [
        doc(1, "## Our story\nWrenholt started in 2016, when Maya Okonkwo and Tom Ferriday took a lease.", "About")
    ]
    assert not evidence.gather("who's the head of marketing at wrenholt", about, _alike).answerable
    about.append(doc(2, "## Meet the team\nSam Reyes, our head of marketing, joined in 2022.", "About"))
    found = evidence.gather("who's the head of marketing at wrenholt", about, _alike)
    assert "Sam Reyes" in found.sentences[0].text
    assert evidence.gather(
        "Who is the finance director or CFO?", [doc(3, "Ana Li is our CFO.", "Team")], _alike
    ).answerable


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("what interest do you charge if our invoice is paid late?", ["interest"]),
        ("what's quillmoor's VAT registration number", ["vat", "registration"]),
        ("does the transit van have a tow bar? need to pull a trailer", ["tow", "bar"]),
        ("Does Corvid have a slogan or motto?", ["slogan", "motto"]),
        ("is there a student discount?", ["student", "discount"]),
        ("I want to give feedback to the site manager - what's their name?", []),
        ("Roughly how many members does Quarry Lane have these days?", []),
        ("whats the fax number for head office", ["fax"]),
        ("how much does it cost to buy a chalk bag in the eastgate shop", ["chalk", "bag"]),
        ("The ear pads are worn out. How much are replacements?", []),
        ("What does a flat white cost at the Bramble Kitchen?", ["flat", "white"]),
        ("what does a day pass cost", ["pass"]),
        ("How much will each of them be paying per week?", []),  # who pays, not what is priced
    ],
)
def test_the_thing_asked_for_is_read_from_the_question(question, words):
    assert focus.focus_words(question) == words


def test_a_sentence_that_does_not_say_the_thing_asked_for_does_not_answer():
    """A child seat's fee for not returning it is not what adding one costs; the price of adding one is."""
    fees = [doc(1, "## Fees table\nChild seat not returned with the car — Fee: £45.", "Fees", "Fees > Fees table")]
    question = "what extra interest do you add when a child seat is not returned?"
    found = evidence.gather(question, fees, _alike)
    assert not found.answerable and "interest" in found.reason
    assert evidence.gather("what fee is charged when a child seat is not returned?", fees, _alike).answerable
    kept = [doc(2, "Our climate-controlled units are kept between 10°C and 20°C.", "Storage")]
    assert evidence.gather("what temperature range are the climate-controlled units kept at?", kept, _alike).answerable
    lifts = [doc(3, "Goods lifts at Stanway Wharf take up to 1,500 kg.", "Sites")]
    assert evidence.gather("whats the weight limit on the goods lifts at stanway wharf?", lifts, _alike).answerable
    assert not evidence.gather("whats the speed of the goods lifts at stanway wharf?", lifts, _alike).answerable


def test_a_version_written_with_a_v_and_a_day_of_the_month_are_not_names_of_their_own():
    assert entities.names("release date of app v3.1.1?")[0].words == ("3.1.1",)
    assert [n.text for n in entities.names("Taking the van to Brackenmouth 5th-8th May.")] == ["Brackenmouth", "May"]


def test_a_comma_before_three_digits_is_thousands_and_before_fewer_a_decimal_comma():
    from tools.kb import measures

    assert measures.found("Goods lifts take up to 1,500 kg.") == [measures.Measure(1500.0, "kg")]
    assert measures.found("It weighs 2,5 kg.") == [measures.Measure(2.5, "kg")]
    assert measures.covers("Goods lifts take up to 1,500 kg.", measures.Measure(1400.0, "kg"))


def test_a_season_or_holiday_the_question_sets_must_be_said():
    """The range in general is not the range in winter; Monday's hours are not Easter Monday's."""
    spark = [doc(1, "The Spark has a range of up to 220 miles (WLTP).", "Spark guide")]
    assert not evidence.gather("how many miles does the spark do in winter?", spark, _alike).answerable
    assert evidence.gather("how many miles does the spark do?", spark, _alike).answerable
    hours = [doc(2, "Support lines are open Monday to Friday, 8am to 8pm.", "Contact")]
    assert evidence.gather("What time are support lines open, can I ring on a Friday?", hours, _alike).answerable
    assert not evidence.gather("What time are support lines open on Easter Monday?", hours, _alike).answerable


@pytest.mark.parametrize(
    ("text", "title", "question", "answerable"),
    [
        # an acronym counts where the sources write it out
        ("The managing director of Marram is Priya Halloran.", "About", "who's the current MD of marram", True),
        ("The managing director of Marram is Priya Halloran.", "About", "who's the current CFO of marram", False),
        # a share answers how much; "N days before" answers when; staff and employees count _alike
        (
            "(b) 29 to 42 days before arrival: 50% of the total cost is refunded.",
            "Terms",
            "We cancel 40 days before. How much of the cost will we get back?",
            True,
        ),
        (
            "For lodges, the balance is due 42 days before your arrival date.",
            "Terms",
            "When is the balance due for a lodge?",
            True,
        ),
        (
            "We employ 212 permanent staff across the four parks.",
            "About Marram",
            "How many permanent employees does Marram have?",
            True,
        ),
        # a price in pence states a fine; an age is not a measure the row must state
        (
            "DVDs and Blu-rays — Adult: 70p; Child (under 16): 35p; Concession: 35p.",
            "Fees",
            "If I bring a DVD back late, how much is the fine per day?",
            True,
        ),
        (
            "Replacement library card — Adult: £2.50; Child: £1.00.",
            "Fees",
            "My 7 year old lost his card. How much is a replacement?",
            True,
        ),
    ],
)
def test_values_are_read_in_the_forms_the_sources_write_them(text, title, question, answerable):
    assert evidence.gather(question, [doc(1, text, title)], _alike).answerable is answerable


def test_a_version_heading_and_a_name_asked_for_its_number():
    assert [n.text for n in entities.names("Version 5.1.0 — 14 December 2023")][0] == "5.1.0"
    notes = [doc(3, "## Version 5.1.0 — 14 December 2023\nChanged: the minimum Android version is now Android 8.0.")]
    found = evidence.gather("What's the minimum Android version KestrelReads 5.1.0 supports?", notes, _alike)
    assert found.answerable and "8.0" in found.sentences[0].text
    arc = [doc(4, "The Arc 300 has a new case.", "News")]
    assert not evidence.gather("How many hours does the battery last?", arc, _alike).answerable


def test_a_row_led_by_the_asked_name_answers_before_a_bundle_or_an_accessory_that_holds_it():
    rows = [
        doc(1, "## Bundles\nNest 2 Pro Home Set — Contents: Corvid Nest 2 Pro and Corvid Dock Pro; Price: €255."),
        doc(2, "## Accessories\nCorvid Dock Pro — Compatible with: Nest 2 Pro; Price: €39."),
        doc(3, "## Current products\nCorvid Nest 2 Pro — Type: Speaker; Price: €229; Battery: 20 h."),
    ]
    found = evidence.gather("How much does the Nest 2 Pro cost?", rows, _alike)
    assert [c.n for c in found.sentences] == [3], [c.text for c in found.sentences]
    # with no row of its own, the bundle's row still answers for what it holds
    assert evidence.gather("How much does the Nest 2 Pro Home Set cost?", rows, _alike).sentences[0].n == 1


def test_a_when_question_that_says_version_is_answered_by_the_date_in_the_heading():
    notes = (
        "## 3.5.0 — 10 February 2025\n- **New:** Dark mode.\n- The minimum supported versions are now iOS 16.\n\n"
        "## 3.4.0 — 25 November 2024\n- **New:** Book a van in the app."
    )
    found = evidence.gather("when was app version 3.5.0 released", [doc(1, notes, title="App release notes")])
    assert found.answerable, found.reason
    assert "10 February 2025" in evidence.quoted(found.sentences[0])


def test_a_subheading_under_a_dated_version_heading_keeps_the_version_and_date():
    notes = (
        "## Version 4.2.1 – 3 March 2025\n\n### Fixed\n\n- Reminders were sent twice on some Android phones.\n\n"
        "## Version 4.2.0 – 10 February 2025\n\n### New\n\n- Book hygienist appointments in the app."
    )
    found = evidence.gather("when did pellmore smile 4.2.1 come out", [doc(1, notes, title="App changelog")])
    assert found.answerable, found.reason
    assert "3 March 2025" in evidence.quoted(found.sentences[0])
    # the sub-heading's chunk alone: its section's path names the version
    alone = doc(2, "### Fixed\n\n- Reminders were sent twice.", section="App changelog > Version 4.2.1 – 3 March 2025")
    assert "3 March 2025" in evidence.quoted(evidence.gather("When was 4.2.1 released?", [alone]).sentences[0])


def test_a_date_of_something_else_that_happened_does_not_say_when_it_happened():
    news = (
        "## Millgate reopens its NHS list\n\n6 January 2025: Pellmore Dental Millgate in Oakhurst is reopening its NHS "
        "list to new adult patients.\n\n## Our history\n\n2024 – Dr Thomas Bell retires after 30 years."
    )
    docs = [doc(1, news, title="News")]
    for question in ("what year did the Millgate practice join Pellmore?", "What year was Dr Thomas Bell born?"):
        found = evidence.gather(question, docs)
        assert not found.answerable, (question, [c.text for c in found.sentences])
        assert "when it happened" in found.reason
    # a sentence that says the happening answers
    history = "## Our history\n\n2009 – Millgate was set up by two dentists.\n\n2024 – Dr Thomas Bell retires."
    assert "2009" in evidence.gather("When was Millgate set up?", [doc(1, history)]).sentences[0].text
    assert "2024" in evidence.gather("What year did Dr Thomas Bell retire?", [doc(1, history)]).sentences[0].text


def test_a_schedule_or_a_release_is_no_happening_to_be_named():
    hours = "## Support line\n\nSunday: 10am – 4pm. Monday to Friday: 8am – 8pm."
    found = evidence.gather("When is the support line open on Sunday?", [doc(1, hours)])
    assert found.answerable and "10am" in found.sentences[0].text, found.reason
    notes = "## 2.3.0 – 12 November 2024\n\n- New: a weight tracker with charts for each pet."
    found = evidence.gather("when did the app get the weight tracker - what date was that release?", [doc(1, notes)])
    assert found.answerable and "12 November 2024" in evidence.quoted(found.sentences[0]), found.reason


def test_an_email_address_is_not_answered_by_a_postal_address():
    row = (
        "Pellmore Dental Riverside Court — Town: Alderford; Address: Unit 3, Riverside Court, Station Lane; "
        "Telephone: 01632 960 587."
    )
    found = evidence.gather("what's the email address for riverside court", [doc(1, row, title="Practices")])
    assert not found.answerable, [c.text for c in found.sentences]
    with_email = row + " Email: riverside@pellmore.example."
    found = evidence.gather("what's the email address for riverside court", [doc(1, with_email, title="Practices")])
    assert found.answerable and "riverside@pellmore.example" in found.sentences[0].text, found.reason


def test_a_price_of_something_else_on_the_menu_is_not_what_the_asked_thing_costs():
    menu = [doc(1, "## Hot drinks\nCappuccino — Oakley: £3.40; Oakfield: £3.50.\nFlat white — Oakley: £3.60.", "Café")]
    found = evidence.gather("What does a flat white cost at Oakley?", menu, _alike)
    assert found.answerable and "Flat white" in found.sentences[0].text, found.reason
    found = evidence.gather("What does a mocha cost at Oakley?", menu[:1], _alike)
    assert not found.answerable and "mocha" in found.reason, [c.text for c in found.sentences]


@pytest.mark.parametrize(
    ("question", "verb", "thing"),
    [
        ("How much do you charge to lay artificial grass?", ["lay"], ["artificial", "grass"]),
        ("whats the hourly price to hire the meeting room", ["hire"], ["meeting", "room"]),
        ("What's the fee for moving a Fibre 500 connection?", ["moving"], ["fibre", "500", "connection"]),
        ("how much do adults pay for the rock pooling at pennock cove", [], ["rock", "pooling"]),
        ("how much is it to have the van delivered", [], ["van", "delivered"]),
        ("what does the estate cost for a full day?", [], []),
        ("How much notice do I need to give to cancel?", [], []),  # an amount of notice, not a price
        ("how much is a day ticket?", [], []),
        ("Full groom price for my lab please, she's 32kg", [], []),  # for whom: the dog
    ],
)
def test_the_thing_a_price_question_prices_is_read_from_it(question, verb, thing):
    assert focus.priced_words(question) == (verb, thing)


def test_a_price_of_another_service_in_the_list_does_not_price_the_asked_one():
    """Turfing's price is not laying artificial grass; a sharpening price is not a soil test."""
    prices = [
        doc(1, "## Services\nTurfing (supply and lay) — Price: £14.50 per m².\nSoil testing — Price: £25.", "Services")
    ]
    found = evidence.gather("How much do you charge to test a soil sample?", prices, _alike)
    assert found.answerable and "Soil testing" in found.sentences[0].text, found.reason
    found = evidence.gather("How much per m² do you charge to plant a hedge?", prices, _alike)
    assert not found.answerable and "hedge" in found.reason, [c.text for c in found.sentences]
    changes = [doc(2, "We charge an amendment fee of £15 for each change to your dates.", "Booking terms")]
    assert evidence.gather("what's the charge for changing the dates on my booking?", changes, _alike).answerable


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("I'm 63 - how much would Active Off-Peak cost me per month?", ["Active Off-Peak"]),
        ("I'm a Plus member (35) and moving house", ["Plus"]),
        ("my order comes to around £90. What will delivery cost?", []),
        ("I finish work at 6 most days", []),
        ("is it ok for a 15 year old at Eastgate", ["Eastgate"]),
        ("Taking my lad (he's 8) to the Kelsworth cinema", ["Kelsworth"]),
        ("What do you charge per kid for a party? My son's turning 7", []),
        # how many the asker has or wants
        ("bought 2 tickets for the ballet broadcast, can I get a refund?", []),
        ("I have 2 cats, can they share a suite?", []),
        ("the app charged me twice when I booked 2 seats", []),
        ("family of 2 adults and 3 kids skiing glen this season, whats the family pass", []),
        ("im 62, do i get the senior rate or is it only 65+ like the other place?", []),
        # what the asker has is context, unless the pages name it (below)
        ("How much is a full service on my Kia EV6?", []),
        ("I've got a regular self-charging Toyota Corolla hybrid. How much for a full service?", []),
        ("I'm still on version 3.4.2 of the app. Which version added Apple Pay?", ["Apple Pay"]),
        # a time of day and a date say when, not what
        ("What do I pay on Surge if I plug in at 5.30pm?", ["Surge"]),
        ("charger not working and its 2am, who do i ring?", []),
        ("what was the rapid price before april 2025", []),
        ("Is the Flex 30 open at 17:30?", ["Flex 30"]),
        ("When does the May Clinic open?", ["May Clinic"]),
        # a count of a thing, a year and a version are still names the page must say
        ("How much does a course of 10 hydrotherapy sessions cost?", ["10"]),
        ("what happened in 2021", ["2021"]),
        ("When was Hollin Active 2.3.1 released?", ["Hollin Active 2.3.1"]),
    ],
)
def test_an_age_an_amount_or_a_time_is_no_name_the_page_must_say(question, names):
    assert [n.text for n in entities.named_in(question, [])] == names


def test_a_question_that_gives_the_asker_s_age_is_answered_by_the_row_without_it():
    plans = [doc(1, "## Over 60s\nActive Off-Peak (60+) — Monthly: £19.50.", "Memberships")]
    found = evidence.gather("I'm 63 - how much would Active Off-Peak cost me per month?", plans, _alike)
    assert found.answerable and "£19.50" in found.sentences[0].text, found.reason


def test_a_section_named_by_its_own_name_rules_out_its_twins():
    """Westmoor's team lists no deputy manager: Eastgate's and Eastfield's do not stand in for it."""
    teams = [
        doc(
            1,
            "### Hollin Leisure Eastgate\n- **Deputy Manager:** Kerry Lomax",
            "Our team",
            "Our team > Hollin Leisure Eastgate",
        ),
        doc(
            2,
            "### Hollin Leisure Eastfield\n- **Deputy Manager:** Joel Whitaker",
            "Our team",
            "Our team > Hollin Leisure Eastfield",
        ),
        doc(
            3,
            "### Hollin Westmoor Pool & Fitness\n- **Centre Manager:** Priya Nandakumar\nPriya runs Westmoor.",
            "Our team",
            "Our team > Hollin Westmoor Pool & Fitness",
        ),
    ]
    assert not evidence.gather("Who is the deputy manager at Westmoor?", teams, _alike).answerable
    found = evidence.gather("who's the deputy manager at eastgate", teams, _alike)
    assert [c.text for c in found.sentences] == ["Deputy Manager: Kerry Lomax"]


def test_kilowatts_state_a_speed_and_an_installation_says_installed():
    chargers = [doc(1, "## Hearth 7\nThe Hearth 7 charges at up to 7.4 kW on a single-phase supply.", "Home chargers")]
    found = evidence.gather("What's the max charging speed of your single phase home charger?", chargers, _alike)
    assert found.answerable and "7.4 kW" in found.sentences[0].text
    offer = [doc(1, "## Dealer offer\nThrough the dealer, a Hearth 7 is £649 including standard installation.")]
    assert evidence.gather("how much would a Hearth 7 installed cost through the dealer?", offer, _alike).answerable


def test_todays_table_answers_before_the_previous_one_unless_the_past_is_asked():
    rows = [
        doc(1, "## Tariffs from 1 April 2025\nRapid (50 kW) — Peak: £0.69; Off-peak: £0.59."),
        doc(2, "## Previous tariffs (2024 to 2025)\nRapid (50 kW) — Peak: £0.65; Off-peak: £0.56."),
    ]
    now = evidence.gather("how much is off-peak rapid charging?", rows, _alike)
    assert [c.n for c in now.sentences] == [1]
    then = evidence.gather("what was the off-peak rapid price before the prices went up?", rows, _alike)
    assert [c.n for c in then.sentences] == [2]


def test_one_word_names_used_alike_are_twins():
    """Spark and Surge are both members' plans: a Spark question is not answered by a Surge sentence."""
    plans = [
        doc(1, "## Member prices\nSpark members pay £0.49 per kWh on rapid chargers."),
        doc(2, "## Member prices\nSurge members pay £0.44 per kWh on rapid chargers."),
    ]
    found = evidence.gather("how much do spark members pay per kwh on a rapid charger?", plans, _alike)
    assert [c.n for c in found.sentences] == [1]


def test_a_season_that_qualifies_a_word_is_said_by_that_word():
    """The summer peak is the peak: a deposit for peak weeks answers, one for Christmas does not."""
    deposits = [doc(1, "## Deposits\nPeak weeks — Deposit: 50%; Balance due: 28 days before arrival.")]
    found = evidence.gather("How much deposit do you take for a stay in the summer peak?", deposits, _alike)
    assert found.answerable and "50%" in found.sentences[0].text
    christmas = [doc(1, "## Deposits\nChristmas week — Deposit: 100%.")]
    assert not evidence.gather("How much deposit for a stay in the summer?", christmas, _alike).answerable


def test_a_counted_thing_is_found_in_another_inflection_and_things_count_anything():
    clinic = [doc(1, "## Harrowgate clinic\nThere is a free car park behind the Harrowgate clinic with 12 spaces.")]
    found = evidence.gather("How many parking spaces are there at the Harrowgate clinic?", clinic, _alike)
    assert found.answerable and "12 spaces" in found.sentences[0].text
    assert not evidence.gather(
        "How many wheelchair spaces are there at the Harrowgate clinic?", clinic, _alike
    ).answerable
    card = [doc(1, "## Child card\nChild card: up to 12 items on loan at once.", "Library cards")]
    assert evidence.gather("How many things can a child card have out at once?", card, _alike).answerable


def test_the_section_a_row_sits_in_says_the_kind_of_the_asked_thing():
    row = "## Plans at a glance\nFlex 10 — Monthly price: £165; Days per month: 10."
    plans = [doc(1, row, "Membership plans", "Membership plans > Plans at a glance")]
    found = evidence.gather("How much does the Flex 10 membership cost per month?", plans, _alike)
    assert found.answerable and "£165" in found.sentences[0].text
    desks = [doc(1, row, "Prices", "Prices > Plans at a glance")]
    # nothing around the row says what a "locker" is: the plan's price is not the locker's
    assert not evidence.gather("How much does the Flex 10 locker cost per month?", desks, _alike).answerable


def test_a_who_question_is_not_answered_by_the_name_it_asks_about_in_lower_case():
    news = [
        doc(1, "## Greyfriars Shorts 2025\nThe Greyfriars Shorts competition attracted 64 entries last year.", "News")
    ]
    assert not evidence.gather("who won the greyfriars shorts competition last year?", news, _alike).answerable
    winner = [
        doc(1, "## Greyfriars Shorts 2025\nLast year's Greyfriars Shorts competition was won by Amira Osei.", "News")
    ]
    assert evidence.gather("who won the greyfriars shorts competition last year?", winner, _alike).answerable


def test_the_askers_own_measure_picks_the_band_that_holds_it_but_a_rule_without_one_still_answers():
    bands = (
        "## Collection fees\n\nBand A (up to 5 miles) — Collection fee: £25.\n"
        "Band B (5 to 10 miles) — Collection fee: £35.\n"
    )
    question = "What's the collection fee if you pick up a return from my house 7 miles from the store?"
    found = evidence.gather(question, [doc(1, bands, "Returns")], _alike)
    assert found.answerable and "£35" in found.sentences[0].text
    exchanges = (
        "## Exchanges\n\nYou can exchange your tickets for another screening up to 1 hour before the start time."
    )
    swap = evidence.gather("The film is in about 3 hours, can I still swap my tickets?", [doc(1, exchanges)], _alike)
    assert swap.answerable and "1 hour" in swap.sentences[0].text
    # a measure that names what is asked about must still be stated: a 10-minute charge is not a full one
    battery = "## Arc 300 battery\n\nThe Arc 300 plays for up to 30 hours, and a full charge takes about 2 hours."
    assert not evidence.gather(
        "How much playback does a 10-minute charge give on the Arc 300?", [doc(1, battery)]
    ).answerable


def test_what_the_asker_has_is_a_name_only_where_the_pages_name_it():
    surge = entities.Name("Surge", ("surge",))
    assert [n.text for n in entities.named_in("I'm on Surge. What do I pay at night?", [surge])] == ["Surge"]
    assert [n.text for n in entities.named_in("I'm on Surge. What do I pay at night?", [])] == []
    corolla = entities.Name("Toyota Corolla", ("toyota", "corolla"))
    asked = entities.named_in("I've got a Toyota Corolla, how much is a hybrid service?", [corolla])
    assert [n.text for n in asked] == ["Toyota Corolla"]


def test_an_engine_size_is_a_measure_held_by_a_band_in_cc():
    from tools.kb import measures

    assert measures.found("I drive a 2.0 TDI Passat") == [measures.Measure(2.0, "litre")]
    assert measures.found("a 500 ml bottle") == [measures.Measure(0.5, "litre")]  # not 500 litres
    assert measures.covers("1,601cc – 2,000cc: Diesel: £225", measures.Measure(2.0, "litre"))
    assert not measures.covers("Up to 1,600cc: Diesel: £215", measures.Measure(2.0, "litre"))
    assert [n.text for n in entities.names("I drive a 2.0 TDI Passat")] == ["TDI Passat"]  # 2.0 is no name
    prices = (
        "## Service prices\n\n- Up to 1,400cc — Fuel: Petrol; Full Service: £189.\n"
        "- 1,401cc – 2,000cc — Fuel: Petrol; Full Service: £209."
    )
    found = evidence.gather("What's a full service on my 1.8 petrol Astra?", [doc(1, prices)], _alike)
    assert found.answerable, found.reason  # the Astra is the asker's own, which the page need not name
    assert "£209" in evidence.quoted(found.sentences[0])


def test_a_table_column_named_by_its_unit_and_working_days_are_measures():
    from tools.kb import measures

    assert measures.found("Automatic Starter 10 — Hours: 10; Band A: £410.") == [measures.Measure(36000.0, "second")]
    assert measures.found("Berth — Length (m): 10.4.") == [measures.Measure(10.4, "m")]
    assert measures.found("Size — L: 12.") == []  # a one-letter column is a size, not litres
    assert measures.found("it's only 5 working days away") == [measures.Measure(5.0, "day")]
    rule = "With fewer than 10 working days notice, a £35 rebooking fee applies."
    assert measures.covers(rule, measures.Measure(5.0, "day"))
    assert not measures.covers("With at least 10 working days notice it is free.", measures.Measure(5.0, "day"))


def test_the_section_a_list_sits_in_says_what_its_prices_are_for():
    extras = [doc(1, "Run-flat tyres: £10 surcharge per tyre.", "Tyres", "Tyres > Fitting prices > Extras")]
    found = evidence.gather("My BMW has run flats, do you charge anything extra to fit those?", extras, _alike)
    assert found.answerable, found.reason  # "fitting" is "fit", and the section prices fitting
    assert not evidence.gather("How much do you charge to balance the wheels?", extras, _alike).answerable
    assert (
        evidence._stem("fitting") == "fit" and evidence._stem("falling") == "fall" and evidence._stem("added") == "add"
    )


def test_the_askers_own_phone_system_is_context_and_the_coverage_leaves_unknown_own_names_out():
    assert [n.text for n in entities.owned("my phone's still on Android 9, will the app work?")] == ["Android 9"]
    assert [n.text for n in entities.owned("My BMW has run flats")] == ["BMW"]
    assert entities.owned("Does the Android 9 app work?") == []
    assert [n.text for n in entities.owned("My iPad is stuck on iOS 15. Will the app work?")] == ["iPad", "iOS 15"]


def test_a_sites_kind_of_place_and_a_season_do_not_make_a_twin():
    reach = entities.Name("Wrenmouth Reach", ("wrenmouth", "reach"))
    row = entities.names("Wrenmouth Reach Marina 2025/26 per metre, 10.1 m to 12.0 m — Annual: £415")[0]
    assert row.text == "Wrenmouth Reach Marina"  # the season "2025/26" is a name of its own
    assert entities.match(reach, row) == entities.SHORTER  # the marina is the place
    assert [n.text for n in entities.names("the Reach price in 2023/24")] == ["Reach", "2023/24"]  # still asked for
    nest = entities.Name("Nest 2", ("nest", "2"))
    assert entities.match(nest, entities.Name("Nest 2 Pro", ("nest", "2", "pro"))) == entities.LONGER  # a twin
    assert [n.text for n in entities.names("Summer-only berth at Wrenmouth Reach?")] == ["Wrenmouth Reach"]
    assert [n.text for n in entities.owned("annual berth for my westerly called Puffin")] == ["Puffin"]
    assert [n.text for n in entities.named_in("When does it shut? Coming down from Exeter after work", [])] == []
    assert [n.text for n in entities.named_in("Do you have a branch in Exeter?", [])] == ["Exeter"]


def _asked_names(question: str) -> list[str]:
    """The names a question asks about, with no page's names known."""
    return [n.text for n in entities.named_in(question, [])]


def test_where_the_asker_travels_ages_said_of_people_and_a_time_of_night_are_no_names():
    assert _asked_names("flying to Tenerife for 10 days and thinking of Long Stay North") == ["Long Stay North"]
    assert _asked_names("our flight home from Crete got moved") == []
    assert _asked_names("Do you have a car park in Dublin?") == ["Dublin"]  # asked about, not travelled to
    assert _asked_names("the lounge for our two kids who are 9 and 14. What are the prices?") == []
    assert _asked_names("My dad's 70 and wants to walk in") == []
    assert _asked_names("how often do the buses go at like 2.30 in the morning") == []
    assert _asked_names("What changed in 2.30?") == ["2.30"]  # a version
    assert _asked_names("what was the student price back in 2022?") == ["2022"]  # a time, not a trip


def test_irregular_plurals_age_groups_nights_and_a_total_read_as_what_pages_write():
    from tools.kb import measures

    lounge = [doc(1, "Lounge prices — Child — Age: 2 to 11; Pre-booked: £15.", "Lounge", "Lounge > Prices")]
    found = evidence.gather("What are the lounge prices for the children?", lounge, _alike)
    assert found.answerable, found.reason  # "children" are the "Child" row
    assert not evidence.gather("What are the lounge prices for the dogs?", lounge, _alike).answerable
    assert evidence._stem("children") == "child" and evidence._stem("people") == "person"
    assert _asked_names("Taking the under-12s team, away 5 days in the minibus") == []
    assert _asked_names("Is there a discount for over 60s?") == []
    assert _asked_names("Do you still sell the 60s Collection dresses?") == ["60s Collection"]
    assert measures.covers("4-7 days: £46", measures.found("back saturday night (5 nights)")[0])
    assert measures.situational("we'll be away 10 days") == [measures.Measure(10.0, "day")]
    assert measures.situational("what's the price for 10 days?") == []
    north = [doc(1, "Pre-booked prices — Long Stay North — 8-14 days: £72.", "Prices", "Prices")]
    found = evidence.gather("10 days in Long Stay North, booked online. What's the total?", north, _alike)
    assert found.answerable, found.reason  # the total of a stay is its price


def test_without_a_year_of_its_own_a_question_asks_for_the_newest_seasons_row():
    rows = [
        doc(1, "Garden waste charges 2024/25, First brown bin — Price: £49.", "Garden waste 2024/25", "Prices"),
        doc(2, "Garden waste charges 2025/26, First brown bin — Price: £52.", "Garden waste 2025/26", "Prices"),
    ]
    now = evidence.gather("How much is the first brown bin this year?", rows, _alike)
    assert [evidence.quoted(c) for c in now.sentences] == [
        "Garden waste charges 2025/26, First brown bin — Price: £52."
    ]
    before = evidence.gather("What was the first brown bin before the price went up?", rows, _alike)
    assert [c.n for c in before.sentences] == [1]
    opened = [
        doc(1, "The Fernleigh centre opened on 1 April 2025.", "News", "News"),
        doc(2, "The Fernleigh centre was built in 2019.", "News", "News"),
    ]
    assert (
        len(evidence.gather("When did the Fernleigh centre open?", opened, _alike).sentences) >= 1
    )  # dates, not seasons
    history = [
        doc(1, "2013 — Our first 120 homes are connected on the Millbank estate.", "History", "About"),
        doc(2, "2020 — Our first homes on the Hesketh estate are connected.", "History", "About"),
    ]
    first = evidence.gather("Which estate had the first homes connected?", history, _alike)
    assert [c.n for c in first.sentences][:1] == [1], first.reason  # a timeline's item is no season's row


def test_a_bracketed_gloss_is_no_rows_kind_and_what_the_asker_needs_is_no_name():
    rows = [
        doc(
            1,
            "Mixed recycling – per collection, 1,100 litre — Fortnightly collection: £18.90.",
            "Mixed recycling",
            "Trade",
        ),
        doc(2, "1,100 litre (general rubbish or recycling) — Price per bin: £520.", "Communal bins", "New bins"),
    ]
    found = evidence.gather("1100 litre trade recycling bin, fortnightly, how much per collection?", rows, _alike)
    assert "£18.90" in " ".join(evidence.quoted(c) for c in found.sentences), found.reason
    assert _asked_names("I need 2 old armchairs collecting, what's the cost?") == []
    assert _asked_names("There are 7 of us in the house, can we get a bigger bin?") == []
    assert _asked_names("how much are 10 sessions?") == ["10"]  # a count a page can name


def test_a_date_range_holds_the_months_it_spans():
    assert evidence._months_within("Winter (1 October to 31 March) — Hours: 8am to 4pm") >= {"january", "october"}
    assert "july" not in evidence._months_within("Winter (1 October to 31 March)")
    assert evidence._months_within("open from May to September") == {"may", "june", "july", "august", "september"}
    assert evidence._says(evidence._forms("Winter (1 October to 31 March) — Hours: 8am to 4pm"), "january")


def test_last_years_figure_is_not_in_a_table_dated_with_one_year_only():
    lounge = [doc(1, "Lounge entry prices 2025, Adult — Pre-booked: £34; Walk-in: £39.", "Lounge prices", "Lounge")]
    assert evidence.gather("How much is lounge entry for an adult?", lounge, _alike).answerable
    last = evidence.gather("What did lounge entry cost an adult last year?", lounge, _alike)
    assert not last.answerable and "one year" in last.reason
    assert evidence.gather("What did lounge entry cost an adult in 2025?", lounge, _alike).answerable  # its year
    assert evidence.gather(
        "Has adult entry gone up? What is it now compared with last year?", lounge, _alike
    ).answerable


def test_a_count_in_digits_is_said_in_words_and_overnight_is_per_night():
    menu = [
        doc(1, "Sunday lunch: two courses £28, three courses £34.", "Eat", "Eat > Sunday lunch"),
        doc(2, "Cots — Ages: 3 to 12; Price per night: £25.", "Children", "Children > Cots"),
    ]
    found = evidence.gather("3 course sunday lunch price?", menu, _alike)
    assert [c.n for c in found.sentences][:1] == [1], found.reason  # "three courses", not the cot's "3 to 12"
    assert not evidence.gather("4 course sunday lunch price?", menu, _alike).answerable
    parking = [
        doc(1, "Car parks, Harbourside — Spaces: 28; Charge for residents: £15 per night.", "Parking", "Parking"),
        doc(2, "An overstay fee of £10 applies in an EV bay, except overnight between 9pm and 8am.", "EV", "EV"),
    ]
    found = evidence.gather("how much is it to park overnight at harbourside", parking, _alike)
    assert "£15" in " ".join(evidence.quoted(c) for c in found.sentences), found.reason


def test_a_rooms_layouts_count_people_and_a_call_question_wants_a_number_to_ring():
    rooms = [
        doc(1, "Meeting rooms, The Langstrath Room — Theatre: 80; Classroom: 45.", "Meetings", "Rooms"),
        doc(2, "Founded in 2013, the hotel group now runs three hotels.", "About", "About"),
    ]
    found = evidence.gather("how many ppl can the langstrath room seat theatre style", rooms, _alike)
    assert found.answerable, found.reason
    assert not evidence.gather("How many people work for the hotel group?", rooms, _alike).answerable
    events = [
        doc(1, "We host a small number of weddings and private dinners at Fell House each year.", "Events", "Events"),
        doc(2, "Call the events team on 01632 962 318 (Monday to Friday, 9am to 5pm).", "Events", "Events"),
    ]
    found = evidence.gather("who do i call about hosting a team away day?", events, _alike)
    assert [c.n for c in found.sentences] == [2], found.reason
    nhs = [doc(1, "When your practice is closed, please call NHS 111 for urgent dental care.", "Urgent", "Urgent")]
    assert evidence.gather("toothache on a saturday night, who do i call?", nhs, _alike).answerable


def test_the_askers_arrival_and_stay_are_context_beside_a_price_per_night():
    from tools.kb import measures

    assert measures.situational("we arrive in 3 days. will I be charged?") == [measures.Measure(3.0, "day")]
    assert measures.situational("sea view room for 3 nights in august, how much a night?") == [
        measures.Measure(3.0, "day")
    ]
    assert measures.situational("is there a discount for 7 nights or more?") == []  # the stay is what is asked


def test_a_season_written_short_or_with_a_dash_and_weeks_written_wk_read_as_the_pages_write_them():
    rents = [
        doc(
            1,
            "Weekly rent 2025/26, Leeds — Hall: Millbrook Hall; Room type: Standard En-suite; 44 weeks: £166.",
            "Rent archive",
            "Rents 2025/26",
        ),
        doc(
            2,
            "Weekly rent 2026/27, Leeds — Hall: Millbrook Hall; Room type: Standard En-suite; 44 weeks: £172.",
            "Rents",
            "Rents 2026/27",
        ),
    ]
    for question, fact in (
        ("millbrook hall standard en suite 44 wk rent in 2025/26", "£166"),
        ("millbrook hall standard en suite 44 wk rent in 25/26", "£166"),
        ("What is the Millbrook Hall standard en-suite rent for 2026-27 on 44 weeks?", "£172"),
    ):
        found = evidence.gather(question, rents, _alike)
        assert [fact in evidence.quoted(c) for c in found.sentences][:1] == [True], (question, found.reason)
    assert evidence.seasons_in_full("for 13-14 year olds on 12/13") == (
        "for 13-14 year olds on 12/13"  # ages and a date are no seasons
    )


def test_a_new_one_a_salary_and_wifi_are_said_as_pages_say_them():
    fees = [doc(1, "Replacement key fob — Charge: £20.", "Fees", "Fees > Charges")]
    assert evidence.gather("lost my key fob, how much is a new one", fees, _alike).answerable
    guarantor = [doc(1, "A guarantor must have an annual income of at least £28,000.", "Guarantors", "Guarantors")]
    assert evidence.gather("What's the minimum salary my dad needs to be my guarantor?", guarantor, _alike).answerable
    internet = [doc(1, "Every room has Wi-Fi at up to 250 Mbps included in the rent.", "Bills", "Bills")]
    assert evidence.gather("whats the included wifi speed in the halls", internet, _alike).answerable


def test_a_price_asked_per_night_is_not_answered_by_a_weekly_rent():
    pages = [
        doc(1, "Millbrook Hall — Room type: Standard En-suite; 44-week rent (per week): £172.", "Rents", "Rents"),
        doc(
            2,
            "Early arrival: up to seven nights before your start date, at £32 per night.",
            "Moving in",
            "Millbrook Hall",
        ),
    ]
    question = "Can I move into Millbrook Hall a few days early? How much is it per night?"
    found = evidence.gather(question, pages, _alike)
    assert found.answerable and "£32" in evidence.quoted(found.sentences[0]), found
    assert not evidence.gather(question, pages[:1], _alike).answerable  # the weekly rent alone does not answer


def test_a_day_pass_is_not_answered_by_an_afternoon_pass_nor_a_nightly_price_by_a_sentence_without_one():
    passes = [
        doc(1, "An adult afternoon pass at Cairnloch Glen costs £38 from 12:30.", "Lift passes", "Glen"),
        doc(2, "Cairnloch Glen — Adult: Day pass £52; 3-day pass £140.", "Lift passes", "Glen > Prices"),
    ]
    found = evidence.gather("how much is an adult day pass at cairnloch glen?", passes, _alike)
    assert [evidence.quoted(c) for c in found.sentences][:1] == [passes[1]["text"]], found.reason
    assert not evidence.gather("how much is an adult day pass at cairnloch glen?", passes[:1], _alike).answerable
    chalets = [doc(1, "Over New Year the Birchwood chalets have a 3-night minimum stay.", "Lodges", "Birchwood")]
    assert not evidence.gather("how much per night is a birchwood chalet for 6 people", chalets, _alike).answerable


def test_a_wedding_package_is_not_a_delegate_package_and_pass_plus_is_no_kind_of_pass():
    def another(text: str, question: str, names: frozenset[str] = frozenset()) -> bool:
        candidate = evidence.Candidate(text, 1, entities.EXACT)
        return evidence._another_kind(candidate, candidate.forms, question, set(names))

    assert another("Delegate package per person — Day delegate: £49.", "how much is a wedding package")
    assert another("An adult afternoon pass costs £38.", "how much is an adult day pass")
    # a head that is part of the asked name: "Pass Plus" is no kind of pass
    assert not another("Other lessons, Pass Plus course — £216.", "how much would pass plus cost", {"pass", "plus"})


def test_a_bound_asked_in_short_or_by_age_is_the_pages_maximum_or_minimum():
    limits = [
        doc(
            1,
            "## Weight and size limits\n- Climbing and abseiling harnesses: maximum 120 kg.\n"
            "- Buoyancy aids: sizes from 30 kg.",
            title="Safety",
        )
    ]
    found = evidence.gather("whats the max weight for the abseiling harnesses?", limits)
    assert found.answerable and "120 kg" in evidence.quoted(found.sentences[0])
    ages = [doc(1, "Paddleboarding — Session length: 1.5 hours; Minimum age: 10 years.", title="Water activities")]
    assert evidence.gather("whats the youngest age for paddleboarding?", ages).answerable
    # the heading's "Weight" is not qualified by the sentence's last word ("kg"): no other kind of weight is given
    assert evidence.gather("what is the user weight for the abseiling harnesses?", limits).answerable


def test_a_question_that_asks_two_things_is_answered_by_a_sentence_stating_either():
    news = [
        doc(1, "## Climbing wall\nThe wall's new extension adds 14 new routes and a bouldering cave.", title="News")
    ]
    both = evidence.gather("when did the climbing wall extension open and how many new routes are there", news)
    assert both.answerable and "14 new routes" in evidence.quoted(both.sentences[0])
    assert not evidence.gather("when did the climbing wall extension open?", news).answerable


def test_counts_periods_and_fees_read_as_customers_write_them():
    ferry = [doc(1, "The Skerrow Express carries a maximum of 12 bicycles per sailing.", title="Skerrow Express")]
    assert evidence.gather("how many bikes can go on one skerrow express sailing?", ferry).answerable
    rooms = [doc(1, "Fell House has two accessible bedrooms on the ground floor.", title="Accessibility")]
    assert evidence.gather("How many accessible rooms are at Fell House?", rooms).answerable
    assert not evidence.gather("How many accessible parking spaces are at Fell House?", rooms).answerable
    fees = [doc(1, "Garden furniture (made to order) — Fee: 15% cancellation fee if cancelled before it is made.")]
    assert evidence.gather("is there a fee to cancel made to order garden furniture?", fees).answerable
    rates = [doc(1, "Harbourside Best Flexible Rate per room per night, Standard Double — Low: £125; High: £195.")]
    assert evidence.gather("What is the nightly rate for a Standard Double at Harbourside?", rates).answerable
    passes = [doc(1, "Visitors can buy a guest pass at the library counter for £2.00 per hour.", title="Computers")]
    # the asker's stay is no rate's period: "for a week" does not ask for a weekly price; "a week" does
    assert evidence.gather("I'm staying for a week, what does a library guest pass cost?", passes).answerable
    assert not evidence.gather("what does a library guest pass cost a week?", passes).answerable
    assert not evidence.gather("how much is a library guest pass for a week?", passes).answerable
    # a word that merely ends like the thing counted is no compound of it: an "outdoor" tap counts no doors
    shed = [doc(1, "The Garden Shed 8 has an outdoor tap and 2 windows.", title="Garden Shed 8")]
    assert not evidence.gather("How many doors does the Garden Shed 8 have?", shed).answerable


def test_superlatives_postcodes_and_whoever_holds_a_role_are_read_as_their_values():
    ferry = [doc(1, "The maximum vehicle length on this route is 12 metres.", title="Inter-island link")]
    assert evidence.gather("what's the longest lorry you can take on the inter-island link?", ferry, _alike).answerable
    farm = [doc(1, "Address: Whitchurch Road, Hollins Cross, Hampshire SO21 3NE", title="Hollins Cross")]
    assert evidence.gather("What's the postcode for Hollins Cross?", farm).answerable
    assert not evidence.gather(
        "What's the postcode for Hollins Cross?", [doc(1, "Hollins Cross Farm is open daily.")]
    ).answerable
    staff = [doc(1, "For moorings at Cobley Creek, contact Alan Fenby, Moorings Officer.", title="Cobley Creek")]
    assert evidence.gather("Who is the person at Cobley Creek I should speak to about my mooring?", staff).answerable
