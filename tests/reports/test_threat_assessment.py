"""The threat assessment document: every section, No data fallbacks, charts with tables that
agree with the data, the marking, the PDF, and judgement text that survives regeneration."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from reports_testkit import YEAR, make_cases, write_extract
from typer.testing import CliRunner

from probity.cli import app
from probity.errors import UsageError
from probity.reports import GatherOptions, gather, threat_assessment
from probity.reports.casework_source import cases_to_export
from probity.reports.figures import NoData
from probity.reports.judgements import SECTION_TITLES, judgement_save_to_file
from probity.reports.risk import THREATS, load_risk_config

runner = CliRunner()
NOW = dt.datetime(YEAR + 1, 1, 15, 9, 0, tzinfo=dt.UTC)


class _Sections(HTMLParser):
    """Section ids, no-data sections, chart ids, and the figures/tables nested in sections."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.no_data: list[str] = []
        self.charts: list[str] = []
        self.tables = 0
        self.figures_with_table = 0
        self._in_figure = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self.sections.append(str(a["data-section"]))
            if a.get("data-no-data"):
                self.no_data.append(str(a["data-section"]))
        elif tag == "svg":
            self.charts.append(str(a["id"]))
        elif tag == "figure":
            self._in_figure = True
        elif tag == "table":
            self.tables += 1
            if self._in_figure:
                self.figures_with_table += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self._in_figure = False


def _casework(tmp_path: Path, seed: int = 7) -> Path:
    path = tmp_path / f"casework-{seed}.json"
    path.write_text(json.dumps(cases_to_export(make_cases(seed=seed, count=60))))
    return path


def test_without_any_source_every_section_renders_with_no_data(tmp_path: Path) -> None:
    options = GatherOptions(year=YEAR, use_database=False, force_code="NONE", now=NOW)
    [html] = threat_assessment(options, out_dir=tmp_path, formats=["html"])
    text = html.read_text()
    parsed = _Sections()
    parsed.feed(text)
    assert parsed.sections == list(SECTION_TITLES)
    figure_sections = [k for k in SECTION_TITLES
                       if k not in ("summary", "control_strategy", "recommendations", "gaps", "risk")]
    assert set(figure_sections) <= set(parsed.no_data)
    assert "No data: no Force Extract given (run with --extract DIR)" in text
    assert "No data: no casework given" in text


def test_full_document_agrees_with_the_data(tmp_path: Path) -> None:
    root = write_extract(tmp_path / "x")
    casework = _casework(tmp_path)
    options = GatherOptions(year=YEAR, extract_dir=root, casework_file=casework,
                            use_database=False, now=NOW)
    figures = gather(options)
    [html] = threat_assessment(options, out_dir=tmp_path / "out", formats=["html"],
                               marking="OFFICIAL")
    text = html.read_text()
    parsed = _Sections()
    parsed.feed(text)
    assert parsed.sections == list(SECTION_TITLES)
    assert parsed.no_data == []  # every source present
    # every chart sits in a figure with its accessible data table
    assert len(parsed.charts) >= 12 and parsed.figures_with_table == len(parsed.charts)
    # the marking: in the @page margin boxes (every printed page) and on screen top and bottom
    assert text.count('content: "OFFICIAL"') == 2
    assert text.count('<div class="marking screen"') == 2
    # figures: the category chart's bars carry the same counts as the data
    volumes = figures.volumes
    assert not isinstance(volumes, type(None))
    bars = dict(re.findall(r'<rect [^>]*data-category="([^"]+)" data-value="([^"]+)"',
                           text.split('id="chart-volumes"')[1].split("</svg>")[0]))
    by_year = volumes.by_year[YEAR]  # type: ignore[union-attr]
    assert bars["Theft and fraud"] == str(by_year["theft_and_fraud"])
    assert bars["of which APSP"] == str(volumes.apsp_by_year[YEAR])  # type: ignore[union-attr]
    total = sum(by_year.values())
    assert f"{total} corruption reports were recorded in {YEAR}" in text
    # the risk matrix grid places each threat in its harm x likelihood cell, shaded
    risk = figures.risk
    apsp = next(r for r in risk.rows if r.threat == "apsp")  # type: ignore[union-attr]
    grid = text.split("Risk matrix, ")[1].split("</table>")[0]
    row = grid.split(f"<th scope=\"row\">{apsp.likelihood} ")[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert "Abuse of position for a sexual purpose" in cells[apsp.harm - 1]
    assert "risk-cell risk-" in grid
    # self-contained: no scripts, no external style sheets, images or fonts
    assert "<script" not in text and "<link" not in text and "src=" not in text
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in text
    # no personal identifiers of staff or victims appear anywhere
    for identifier in ("S001", "Fore0", "inv1", "V1"):
        assert identifier not in text


def test_pdf_has_every_section_the_marking_and_rendered_pages(tmp_path: Path) -> None:
    root = write_extract(tmp_path / "x")
    options = GatherOptions(year=YEAR, extract_dir=root, casework_file=_casework(tmp_path),
                            use_database=False, now=NOW)
    written = threat_assessment(options, out_dir=tmp_path / "out", formats=["html", "pdf"])
    pdf_path = next(p for p in written if p.suffix == ".pdf")
    pdf = pdfium.PdfDocument(str(pdf_path))
    pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    assert 5 <= len(pages) <= 40
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") >= 2, f"page {number} lacks top and bottom marking"
        assert f"Page {number} of {len(pages)}" in page
    everything = re.sub(r"\s+", " ", " ".join(pages))
    for number, title in enumerate(SECTION_TITLES.values(), start=1):
        assert f"{number}. {title}" in everything
    figures = gather(options)
    total = figures.volumes.total(YEAR)  # type: ignore[union-attr]
    assert f"{total} corruption reports were recorded in {YEAR}" in everything
    image = pdf[1].render(scale=0.5).to_numpy()
    ink = (image[:, :, :3] < 128).any(axis=2).mean()
    assert image.shape[0] > 100 and 0.005 < ink < 0.6  # text and charts drawn, not blank
    assert np.unique(image[:, :, :3].reshape(-1, 3), axis=0).shape[0] > 8  # colour charts


def test_judgement_text_survives_regeneration(tmp_path: Path) -> None:
    store = tmp_path / "judgements.json"
    root = write_extract(tmp_path / "x")
    first = _casework(tmp_path, seed=7)
    judgement_save_to_file(path=store, year=YEAR, section="control_strategy",
                           text="Prevent: brief all PCSOs on boundaries.", author="Analyst One")
    judgement_save_to_file(path=store, year=YEAR, section="volumes",
                           text="Rise in systems misuse is real, not a recording change.",
                           author="Analyst One")
    judgement_save_to_file(path=store, year=YEAR - 1, section="control_strategy",
                           text="Last year's strategy.", author="Analyst Two")
    out = tmp_path / "out"
    args = ["report", "threat-assessment", "--year", str(YEAR), "--extract", str(root),
            "--judgements", str(store), "--out", str(out), "--format", "html", "--no-database"]
    result = runner.invoke(app, [*args, "--casework", str(first)])
    assert result.exit_code == 0, result.output
    html = out / f"threat-assessment-TST-{YEAR}.html"
    before = html.read_text()
    # regenerate from different casework: the figures change, the judgements stay
    result = runner.invoke(app, [*args, "--casework", str(_casework(tmp_path, seed=99))])
    assert result.exit_code == 0, result.output
    after = html.read_text()
    assert re.search(r'id="chart-volumes".*?</svg>', before, re.S).group(0) != \
        re.search(r'id="chart-volumes".*?</svg>', after, re.S).group(0)  # type: ignore[union-attr]
    for text in (before, after):
        assert "Prevent: brief all PCSOs on boundaries." in text
        assert "Rise in systems misuse is real, not a recording change." in text
        assert "Last year&#39;s strategy." not in text and "Last year's strategy." not in text
        assert "Written by Analyst One" in text
    # editing keeps the earlier text in the history
    judgement_save_to_file(path=store, year=YEAR, section="control_strategy",
                           text="Revised strategy.", author="Analyst Three")
    entry = next(e for e in json.loads(store.read_text())["entries"]
                 if e["year"] == YEAR and e["section"] == "control_strategy")
    assert entry["text"] == "Revised strategy." and \
        entry["history"][0]["text"] == "Prevent: brief all PCSOs on boundaries."


def test_judgement_text_is_escaped(tmp_path: Path) -> None:
    store = tmp_path / "j.json"
    judgement_save_to_file(path=store, year=YEAR, section="summary",
                           text="<script>alert(1)</script>", author="A")
    options = GatherOptions(year=YEAR, use_database=False, judgements_file=store, now=NOW)
    [html] = threat_assessment(options, out_dir=tmp_path, formats=["html"])
    text = html.read_text()
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_risk_configuration_changes_scales_and_is_checked(tmp_path: Path) -> None:
    config = tmp_path / "risk.json"
    config.write_text(json.dumps({"harm_scale": ["Low", "High"],
                                  "harm": dict.fromkeys(THREATS, 1) | {"infiltration": 2},
                                  "likelihood": {"apsp": 5}}))
    options = GatherOptions(year=YEAR, use_database=False, casework_file=_casework(tmp_path),
                            risk_config=config, now=NOW)
    risk = gather(options).risk
    row = next(r for r in risk.rows if r.threat == "apsp")  # type: ignore[union-attr]
    assert (row.harm, row.likelihood, row.basis) == (1, 5, "set by analyst")
    assert risk.harm_scale == ("Low", "High")  # type: ignore[union-attr]
    config.write_text(json.dumps({"harm_scale": ["Low", "High"]}))  # defaults up to 5 no longer fit
    with pytest.raises(UsageError, match="harm.infiltration: 5 is not a score from 1 to 2"):
        load_risk_config(config)
    config.write_text(json.dumps({"harm": {"apsp": 9, "nonsense": 1}, "colour": "red"}))
    with pytest.raises(UsageError) as caught:
        load_risk_config(config)
    message = str(caught.value)
    assert "harm.apsp: 9 is not a score from 1 to 5" in message
    assert "harm.nonsense: unknown threat" in message and "unknown setting 'colour'" in message


def test_bad_inputs_fail_clearly_and_write_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "casework.json"
    bad.write_text(json.dumps({"format": "probity-casework-export", "version": 1, "cases": [
        {"received_on": "2025-13-01"}, {"received_on": "2025-01-01", "status": "shut"}]}))
    out = tmp_path / "out"
    with pytest.raises(UsageError) as caught:
        threat_assessment(GatherOptions(year=YEAR, casework_file=bad, use_database=False, now=NOW),
                          out_dir=out, formats=["html"])
    assert "cases[0].received_on: '2025-13-01' is not a date" in str(caught.value)
    assert "cases[1].status: 'shut' is not one of open, closed" in str(caught.value)
    assert not out.exists()
    with pytest.raises(UsageError, match="--year 2999"):
        gather(GatherOptions(year=2999, use_database=False, now=NOW))


@pytest.mark.slow
def test_with_scan_lists_the_indicators_the_extract_cannot_support(tmp_path: Path) -> None:
    root = write_extract(tmp_path / "x", optional=("devices",))  # no shifts, comms, apps, ...
    figures = gather(GatherOptions(year=YEAR, extract_dir=root, use_database=False,
                                   run_scan=True, now=NOW))
    gaps = figures.gaps.gaps  # type: ignore[union-attr]
    areas = {g.area for g in gaps}
    assert "Indicator comms_to_victim skipped" in areas
    assert "Indicator complaint_history skipped" in areas
    # no roster: off duty is inferred, and the report says so
    assert any(g.area == "Scan assumption" and "shifts is missing" in g.detail for g in gaps)
    assert isinstance(figures.vetting, NoData) and "no vetting table" in figures.vetting.reason
    assert isinstance(figures.apps, NoData) and "device_apps" in figures.apps.reason


def test_judgement_command_writes_the_file(tmp_path: Path) -> None:
    store = tmp_path / "j.json"
    text_file = tmp_path / "t.txt"
    text_file.write_text("Recommendation 1: monitor PND look-ups.\n")
    args = ["report", "judgement", "--year", str(YEAR), "--section", "recommendations",
            "--judgements", str(store), "--author", "Analyst"]
    result = runner.invoke(app, [*args, "--text-file", str(text_file)])
    assert result.exit_code == 0, result.output
    entry = json.loads(store.read_text())["entries"][0]
    assert (entry["section"], entry["text"]) == ("recommendations",
                                                 "Recommendation 1: monitor PND look-ups.")
    result = runner.invoke(app, [*args, "--text", "a", "--text-file", str(text_file)])
    assert isinstance(result.exception, UsageError)
    result = runner.invoke(app, [*args[:4], "--section", "nonsense", *args[6:], "--text", "a"])
    assert isinstance(result.exception, UsageError) and "unknown section" in str(result.exception)
    assert json.loads(store.read_text())["entries"][0]["text"].startswith("Recommendation 1")
