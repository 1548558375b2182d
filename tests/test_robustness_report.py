"""The report's robustness section: both charts and the sentence of every unit whose
rank is not firm, in Thai and English."""

from __future__ import annotations

from html import escape

from conftest import run_cli

from readiness_xl.core import robustness as R
from readiness_xl.core.answers import parse_answers
from readiness_xl.core.results import compute_results
from readiness_xl.report.html import build_report
from readiness_xl.report.robustness_section import report_section
from readiness_xl.sample.source_data import load_agencies, load_answers, load_framework
from readiness_xl.workbook.robustness_sheets import robustness_of


def test_section_has_both_charts_and_the_sentences():
    framework, agencies = load_framework(), load_agencies()
    parsed, _ = parse_answers(load_answers(), framework)
    results = compute_results(framework, agencies, parsed)
    uncertainty, sensitivity = robustness_of(framework, parsed, runs=300, sobol_n=64, resamples=20)
    html = build_report(results, extra_sections=[report_section(uncertainty, sensitivity,
                                                                results.agencies)])
    section = html[html.index('<section id="robustness">'):]
    section = section[:section.index("</section>")]
    assert 'aria-label="ช่วงอันดับ 5-95% และอันดับจริง / Rank interval 5-95% and nominal rank"' in section
    assert 'aria-label="ดัชนี Sobol / Sobol indices on the mean absolute rank shift"' in section
    loose = uncertainty.table[uncertainty.table["rank_p95"] > uncertainty.table["rank_p5"]]
    th = R.rank_sentences(uncertainty.table, uncertainty.inputs)
    en = R.rank_sentences(uncertainty.table, uncertainty.inputs, "en")
    assert len(loose) > 10
    for ident in loose.index:
        assert escape(th[ident]) in section and escape(en[ident]) in section
    assert "robustness" not in build_report(results).split("<nav>")[1].split("</nav>")[0]


def test_report_command_with_robustness(sample_path, tmp_path):
    out = tmp_path / "report.html"
    run_cli("report", sample_path, "-o", out, "--robustness")
    html = out.read_text(encoding="utf-8")
    assert '<section id="robustness">' in html and "อันดับอาจอยู่ระหว่าง" in html


def test_report_with_robustness_reads_and_scores_the_workbook_once(sample_path, tmp_path, monkeypatch):
    from click.testing import CliRunner

    import readiness_xl.cli.report_commands as report_commands
    import readiness_xl.workbook.read as read_module
    import readiness_xl.workbook.recalc as recalc_module
    from readiness_xl.cli.main import cli

    calls = []

    def counting(name, real):
        def call(*args, **kwargs):
            calls.append(name)
            return real(*args, **kwargs)
        return call

    read, score = counting("read", read_module.read_book), counting("score", recalc_module.score_book)
    for module in (read_module, report_commands):
        monkeypatch.setattr(module, "read_book", read)
    for module in (recalc_module, report_commands):
        monkeypatch.setattr(module, "score_book", score)
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", str(sample_path), "-o", str(out), "--robustness"])
    assert result.exit_code == 0, result.output
    assert calls == ["read", "score"]
    assert '<section id="robustness">' in out.read_text(encoding="utf-8")
