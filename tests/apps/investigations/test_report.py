"""The printable report: self-contained, plotted, honest, and carrying exactly the result's JSON."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from headstart.apps.investigations.intake import Submission
from headstart.apps.investigations.report import plot_svg
from headstart.apps.investigations.services import investigate, report_html

pytestmark = pytest.mark.django_db
LEAKER = "Foxtrot Defense"


@pytest.fixture
def report(delivered, staff_actor):  # type: ignore[no-untyped-def]
    inv = investigate([Submission("w.md", delivered.copy(LEAKER, "writeup.md")),
                       Submission("p.tim", delivered.copy(LEAKER, "poc.tim"))], actor=staff_actor)
    return inv, BeautifulSoup(report_html(inv), "html.parser")


def test_the_report_embeds_exactly_the_result_json(report):
    inv, page = report
    embedded = json.loads(page.find("script", id="investigation-data", type="application/json").string)
    assert embedded == inv.result


def test_the_report_is_self_contained(report):
    _, page = report
    assert page.find("style") is not None and page.find("link") is None
    assert all(s.get("type") == "application/json" for s in page.find_all("script"))
    for tag in page.find_all(src=True) + page.find_all(href=True):
        assert not tag.get("src", tag.get("href", "")).startswith(("http:", "https:", "//")), tag


def test_the_report_plots_every_partner_with_the_threshold_marked(report):
    inv, page = report
    svg = page.find("svg")
    assert len(svg.find_all("rect")) == inv.result["partners_considered"] == 6
    assert len(svg.find_all("rect", class_="accused")) == 1
    assert svg.find("line", class_="threshold") is not None
    assert "accusation threshold" in svg.get_text()


def test_the_report_states_the_verdict_the_evidence_and_its_limits(report):
    inv, page = report
    text = " ".join(page.get_text().split())
    assert inv.result["verdict"] in text
    assert "names a copy, not a person" in text
    assert "union bound" in text and "Chernoff" in text
    assert "Every check passed" in text  # the codebook commitment
    assert "198.51.100.15" in text  # the accused partner's download, from its address
    per_file = page.find("h2", string="Per file").find_next("table").get_text()
    assert "writeup.md" in per_file and "poc.tim" in per_file and f"{LEAKER} (accused)" in per_file


def test_a_report_with_nobody_accused_says_so(delivered, staff_actor):
    inv = investigate([Submission("notes.txt", b"Nothing to see here, just a shopping list: eggs, milk.\n")],
                      actor=staff_actor)
    text = " ".join(BeautifulSoup(report_html(inv), "html.parser").get_text().split())
    assert "Nobody is accused." in text and "no copy's trail is shown" in text


def test_the_plot_draws_a_p_value_of_zero_at_its_floor_not_at_infinity():
    svg = plot_svg([{"partner": "A", "family_p_value": 0.0}, {"partner": "B", "family_p_value": 0.5}], 1e-6)
    assert "inf" not in svg and "nan" not in svg.lower()
