"""The HTML report: one self-contained page (inline CSS, JS and SVG charts) with the
national summary, every agency in a sortable table, a heat map, a radar per ministry
and for one agency, every narrative, and the framework. Pure: Results in, text out;
the command line writes it and prints it to PDF."""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import date
from html import escape

import pandas as pd

from readiness_xl.core.benchmarks import WEAK_THRESHOLD
from readiness_xl.core.narrative import agency_narratives, narrative_for, percent_text
from readiness_xl.core.results import Answered, Results, answered
from readiness_xl.errors import Problem, ReadinessError, unknown_choice
from readiness_xl.report.charts import (compact_bars, dimension_bars, heatmap, radar, score_gradient_css,
                                        scroll_box)
from readiness_xl.workbook.layout import kind_names
from readiness_xl.thai import as_buddhist_year, buddhist_year, common_era_year, thai_digits

THAI_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
               "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
HEATMAP_ROWS = 40

CSS = """
/* --weak: 6.6:1 on white, so the cells the report wants noticed pass WCAG AA contrast */
:root { --ink:#1d2733; --muted:#5b6775; --line:#d5dbe3; --accent:#1f5fa8; --weak:#a93226; }
* { box-sizing: border-box; }
body { font-family: Tahoma, Loma, Garuda, sans-serif; color: var(--ink); margin: 0 auto;
       max-width: 1180px; padding: 24px 28px 48px; line-height: 1.55; font-size: 14px;
       overflow-wrap: break-word; }
h1 { font-size: 24px; margin: 0 0 4px; color: var(--accent); line-height: 1.4; }
h2 { font-size: 19px; border-bottom: 2px solid var(--accent); padding-bottom: 4px; margin-top: 36px; }
h3 { font-size: 15px; margin: 0 0 6px; }
.sub, .note, .en { color: var(--muted); }
.en { font-size: 0.93em; }
nav a { margin-right: 14px; color: var(--accent); text-decoration: none; display: inline-block;
        min-height: 28px; padding: 3px 0; }
.notice { border: 2px solid #c98a00; background: #fff6dc; border-radius: 6px; padding: 8px 14px;
          margin: 12px 0; }
.notice b { color: #7a4d00; }
.notice p { margin: 2px 0; }
.figures { display: flex; gap: 14px; flex-wrap: wrap; margin: 14px 0; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 150px; }
.figure b { display: block; font-size: 22px; color: var(--accent); }
.bands { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0 4px; padding: 0; list-style: none; }
.bands li { border: 1px solid var(--line); border-radius: 4px; padding: 2px 10px; font-size: 13px; }
.bands li.here { border-color: var(--accent); background: #eef4fb; }
.scale { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; font-size: 13px; margin: 6px 0; }
.scale .bar { display: block; width: 220px; max-width: 60vw; height: 12px; border-radius: 3px; }
.scale .ticks { display: flex; justify-content: space-between; width: 220px; max-width: 60vw;
                font-size: 11px; color: var(--muted); }
.key { font-size: 13px; margin: 4px 0 10px; padding-left: 0; list-style: none; }
table { border-collapse: collapse; width: 100%; margin: 10px 0; font-size: 12.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.weak { color: var(--weak); font-weight: bold; }
/* a header sorts through the button inside it; the arrow is decoration, not its name */
table.sortable th button { all: inherit; cursor: pointer; user-select: none; display: inline; padding: 0; }
table.sortable th button:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
table.sortable th button::after { content: " \\2195" / ""; color: #6b7683; }
table.sortable th[aria-sort=ascending] button::after { content: " \\2191" / ""; color: var(--ink); }
table.sortable th[aria-sort=descending] button::after { content: " \\2193" / ""; color: var(--ink); }
.wide:focus-visible, .chart-box:focus-visible { outline: 2px solid var(--accent); }
/* a wide table or chart scrolls inside its own box, never the page */
.wide, .chart-box { overflow-x: auto; max-width: 100%; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 520px), 1fr)); gap: 16px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; break-inside: avoid; min-width: 0; }
.card svg.chart { max-width: 360px; }
svg.chart { width: 100%; height: auto; display: block; margin: 6px auto; }
svg.chart.bars { max-width: 460px; margin: 0; }
svg.chart.intervals { max-width: 900px; margin: 0; }
/* the national words beside its bars; on paper the bars beside the benchmark table */
.overview { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 460px); gap: 0 24px;
            align-items: start; grid-template-areas: "words bars" "table table"; }
.overview > .words { grid-area: words; } .overview > .bars-part { grid-area: bars; }
.overview > .table-part { grid-area: table; }
.print-only { display: none; }
.focus { display: grid; grid-template-columns: minmax(0, 420px) minmax(0, 1fr); gap: 18px; align-items: start; }
.narratives article { border-left: 3px solid var(--line); padding: 2px 12px; margin: 10px 0; break-inside: avoid; }
.narratives h4 { margin: 0; font-size: 14px; }
.narratives p { margin: 3px 0; }
@media (max-width: 900px) { .overview { grid-template-columns: minmax(0, 1fr);
                                         grid-template-areas: "words" "bars" "table"; } }
@media (max-width: 700px) {
  body { padding: 14px 12px 32px; font-size: 15px; }
  h1 { font-size: 20px; }
  .focus { grid-template-columns: minmax(0, 1fr); }
  .figure { min-width: 0; flex: 1 1 40%; }
  /* the scores stay next to the name: the name column stays put while the scores scroll */
  #agency-table td:nth-child(3), #agency-table th:nth-child(3) {
    position: sticky; left: 0; background: #fff; min-width: 9.5em; box-shadow: 1px 0 0 var(--line); }
  #agency-table th:nth-child(3) { background: #eef2f7; }
  table.units td:first-child { min-width: 8em; }
  #agency-table .opt { display: none; }
  /* any other table (a section added later) scrolls in its own box too */
  table { display: block; overflow-x: auto; max-width: 100%; }
  .wide > table { display: table; }
  /* charts keep a legible size and scroll sideways in their box */
  .chart-box > svg.chart { min-width: calc(var(--natural-width, 0px) * 0.65); }
  .chart-box > svg.chart.heatmap { min-width: 900px; }   /* its numbers at about 9 px */
}
@page { size: A4 landscape; margin: 12mm 12mm 14mm;
  @bottom-right { content: "หน้า " counter(page) " / " counter(pages); font-family: Tahoma, Loma, Garuda, sans-serif;
                  font-size: 9pt; color: #5b6775; } }
@media print {
  body { max-width: none; padding: 0; font-size: 11.5px; }
  nav, .screen-only { display: none; }
  .print-only { display: block; }
  h2, h3, h4 { break-after: avoid; }
  /* each part starts on its own page (no table begins with one orphan row at a page foot);
     the agency focus is small enough to follow the last ministry card */
  section { break-before: page; }
  #summary, #focus { break-before: auto; }
  h2 { margin-top: 0; }
  .wide, .chart-box { overflow: visible; }
  thead { display: table-header-group; }
  tr, .figure, .notice, .bands, .key li { break-inside: avoid; }
  .key { columns: 2; margin: 2px 0; }
  svg.chart { max-height: 170mm; break-inside: avoid; }
  .overview { grid-template-columns: 100mm 1fr; grid-template-areas: "words words" "bars table"; gap: 0 6mm; }
  svg.chart.bars.compact { max-width: 100mm; }
  .bars-part .key { columns: 1; font-size: 10px; margin: 0; }
  /* the first page holds the summary whole: figures in a row, the words and the table tight */
  header .note, .figures { margin: 4px 0; }
  .figure { padding: 2px 10px; }
  .figure b { font-size: 18px; display: inline; margin: 0 8px 0 6px; }
  .overview p { margin: 2px 0; }
  .overview table { margin: 2px 0; }
  .overview th, .overview td { padding: 1px 5px; }
  h1 { font-size: 20px; }
  h2 { margin-bottom: 4px; }
  svg.chart.heatmap { max-height: 136mm; width: auto; }
  svg.chart.intervals { max-height: 150mm; width: auto; }
  /* one ministry to a page: a radar whose labels print at 8 pt beside its narrative */
  .cards { display: block; }
  .card { padding: 4px 10px; border: 0; }
  .card + .card { break-before: page; }
  .card-body { display: grid; grid-template-columns: 150mm 1fr; gap: 6mm; align-items: center; }
  .card svg.chart { max-width: 150mm; max-height: 140mm; margin: 0; }
  .card h3 { margin-bottom: 0; }
  /* small enough to share a page with the last ministry card */
  .focus { grid-template-columns: 72mm 1fr; break-inside: avoid; }
  #focus h2 { margin-top: 6mm; }
  table.sortable th button::after { content: ""; }
}
"""

# Sorting by clicking a header (numbers by their data-v value, text in Thai collation);
# `#sort=<column key>[-desc]` opens the page sorted. Errors are written into the DOM so
# that a headless browser check can see them.
JS = """
window.onerror = function (message) {
  document.documentElement.setAttribute('data-js-error', String(message));
};
(function () {
  var collator = new Intl.Collator('th', {numeric: true});
  function value(cell, numeric) {
    if (!numeric) return cell.textContent;
    var v = cell.getAttribute('data-v');
    return v === null || v === '' ? -Infinity : parseFloat(v);
  }
  function sortBy(th, direction) {
    var table = th.closest('table'), body = table.tBodies[0], i = th.cellIndex;
    var numeric = th.getAttribute('data-type') === 'num';
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a.cells[i], numeric), y = value(b.cells[i], numeric);
      var c = numeric ? (x === y ? 0 : (x < y ? -1 : 1)) : collator.compare(x, y);
      return direction === 'ascending' ? c : -c;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    table.querySelectorAll('th[aria-sort]').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', direction);
  }
  document.querySelectorAll('table.sortable th').forEach(function (th) {
    th.querySelector('button').addEventListener('click', function () {
      sortBy(th, th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending');
    });
  });
  var wanted = /^#sort=([\\w.-]+?)(-desc)?$/.exec(location.hash);
  if (wanted) {
    var th = document.querySelector('th[data-key="' + wanted[1] + '"]');
    if (th) sortBy(th, wanted[2] ? 'descending' : 'ascending');
  }
  document.documentElement.setAttribute('data-ready', '1');
})();
"""


def thai_date(day: date) -> str:
    """'12 มีนาคม ๒๕๖๘' style: Thai month, Buddhist Era year, Thai digits."""
    return thai_digits(f"{day.day} {THAI_MONTHS[day.month - 1]} {buddhist_year(day.year)}")


def _num_cell(value: object, weak: bool = False, decimals: int = 1) -> str:
    """A number cell; data-v keeps the precise value the table sorts by."""
    v, shown = ("", "") if pd.isna(value) else (f"{float(value):.6g}", f"{float(value):.{decimals}f}")
    return f'<td class="{"num weak" if weak else "num"}" data-v="{v}">{shown}</td>'


def _both(th: str, en: str) -> str:
    """Thai, with the English below it when it says something more."""
    if th == en:
        return escape(th)
    return f'{escape(th)}<br><span class="en" lang="en">{escape(en)}</span>'


_MIXED_HEADING = re.compile(r"<(h[1-4]|th|button)([^>]*)>([^<]*?) / ([A-Za-z][^<]*)</\\1>")


def mark_english(html: str) -> str:
    """'ไทย / English' in a heading or header cell -> the English part in lang="en", so a
    screen reader reads each part in its own language."""
    return _MIXED_HEADING.sub(r'<\\1\\2>\\3 <span lang="en">/ \\4</span></\\1>', html)


def _paragraphs(th: str, en: str) -> str:
    return f'<p lang="th">{escape(th)}</p><p class="en" lang="en">{escape(en)}</p>'


def _narratives(results: Results, unit_type: str, key: object = None) -> str:
    return _paragraphs(narrative_for(results, unit_type, key, "th"),
                       narrative_for(results, unit_type, key, "en"))


def _agency_table(results: Results) -> str:
    ids = results.dimension_ids
    fw = results.framework
    heads = ([("rank", "อันดับ", "Rank", "num"), ("id", "รหัส", "Id", ""),
              ("name_th", "หน่วยงาน", "Agency", ""), ("kind", "ประเภท", "Kind", ""),
              ("ministry", "กระทรวง", "Ministry", "")]
             + [(f"dim{d}", f"มิติที่ {thai_digits(d)}", f"Dim {d}", "num") for d in ids]
             + [("overall", "รวม", "Overall", "num"), ("level", "ระดับ", "Level", ""),
                ("completeness", "ครบถ้วน", "Complete %", "num")])
    names = {f"dim{d}": f"{fw.dimension_label(d, 'th')} / {fw.dimension_label(d, 'en')}" for d in ids}
    optional = ("kind", "ministry")  # left out on a phone: the ministry cards group them
    head = "".join(f'<th data-key="{k}" data-type="{"num" if t else "text"}"'
                   f' class="{t}{" opt" if k in optional else ""}"'
                   f' title="{escape(names.get(k, en))}"><button type="button">{_both(th, en)}</button></th>'
                   for k, th, en, t in heads)
    weak = results.agencies[ids] < WEAK_THRESHOLD
    rows = []
    for ident, a in results.agencies.sort_values("rank", kind="stable").iterrows():
        cells = ([_num_cell(a["rank"], decimals=0),
                  f"<td>{escape(str(ident))}</td>",
                  f'<td>{escape(a["name_th"])}<br><span class="en" lang="en">{escape(a["name_en"])}</span></td>',
                  f"<td class='opt'>{escape(kind_names(a['kind'])[0])}</td>",
                  f"<td class='opt'>{escape(a['ministry_th'])}</td>"]
                 + [_num_cell(a[d], weak.at[ident, d]) for d in ids]
                 + [_num_cell(a["overall"]), f"<td>{_both(a['level_th'], a['level_en'])}</td>",
                    _num_cell(a["completeness"])])
        rows.append(f'<tr data-id="{escape(str(ident))}">{"".join(cells)}</tr>')
    return scroll_box(f'<table class="sortable" id="agency-table"><thead><tr>{head}</tr></thead>'
                      f'<tbody>{"".join(rows)}</tbody></table>', "ผลรายหน่วยงาน / All agencies")


def _benchmark_table(results: Results) -> str:
    ids = results.dimension_ids
    settings = results.framework.settings
    units = ([(settings.all_units_th, settings.all_units_en, results.national)]
             + [(name, m["name_en"], m) for name, m in results.ministries.iterrows()]
             + [(*kind_names(kind), k) for kind, k in results.kinds.iterrows()])
    # the overall and the level next to the name: on a phone they are in view without scrolling
    head = ("<tr><th>หน่วย / Unit</th><th class='num'>จำนวน<br>Agencies</th>"
            "<th class='num'>รวม / Overall</th><th>ระดับ / Level</th>"
            + "".join(f"<th class='num'>มิติที่ {thai_digits(d)}</th>" for d in ids) + "</tr>")
    body = "".join(
        f"<tr><td>{_both(th, en)}</td><td class='num'>{int(u['agencies'])}</td>"
        f"{_num_cell(u['overall'])}<td>{_both(u['level_th'], u['level_en'])}</td>"
        + "".join(_num_cell(u[d], u[d] < WEAK_THRESHOLD) for d in ids) + "</tr>"
        for th, en, u in units)
    return scroll_box(f"<table class='units'><thead>{head}</thead><tbody>{body}</tbody></table>",
                      "ค่าเฉลี่ย / Benchmarks")


def _framework_section(results: Results) -> str:
    fw = results.framework
    counts = fw.indicators.groupby("dimension").size()
    points = fw.indicators.groupby("dimension")["points"].sum()
    dims = "".join(
        f"<tr><td>มิติที่ {thai_digits(d)}</td><td>{escape(r['name_th'])}</td>"
        f"<td lang='en'>{escape(r['name_en'])}</td>"
        f"<td class='num'>ร้อยละ {thai_digits(f'{100 * share:.4g}')} ({100 * share:.4g}%)</td>"
        f"<td class='num'>{int(counts.get(d, 0))}</td><td class='num'>{points.get(d, 0):g}</td></tr>"
        for (d, r), share in zip(fw.dimensions.iterrows(), fw.shares))
    bands = "".join(
        f"<tr><td class='num'>{b.lower:g}%</td><td>{escape(b.label_th)}</td><td lang='en'>{escape(b.label_en)}</td></tr>"
        for b in fw.bands.itertuples())
    indicators = "".join(
        f"<tr><td>{escape(str(i))}</td><td>มิติที่ {thai_digits(q['dimension'])}</td>"
        f"<td>{escape(q['question_th'])}<br><span class='en' lang='en'>{escape(q['question_en'])}</span></td>"
        f"<td>{escape(q['type'])}</td><td class='num'>{q['max']:g}</td><td class='num'>{q['points']:g}</td></tr>"
        for i, q in fw.indicators.iterrows())
    version = f"<p class='note'>รุ่นกรอบการประเมิน / Framework version: {escape(fw.version)}</p>" \
        if fw.version else ""
    return (f"{version}<h3>มิติและน้ำหนัก <span lang='en'>/ Dimensions and weights</span></h3>"
            + scroll_box("<table><thead><tr>"
                         "<th>มิติ</th><th>ชื่อ</th><th lang='en'>Name</th><th class='num'>น้ำหนัก / Weight</th>"
                         "<th class='num'>ตัวชี้วัด / Indicators</th><th class='num'>คะแนนเต็ม / Points</th></tr></thead>"
                         f"<tbody>{dims}</tbody></table>", "มิติและน้ำหนัก / Dimensions and weights")
            + "<h3>ระดับ <span lang='en'>/ Level bands</span></h3><table style='width:auto'><thead><tr><th class='num'>ตั้งแต่ / From</th>"
            f"<th>ระดับ</th><th>Level</th></tr></thead><tbody>{bands}</tbody></table>"
            "<h3>ตัวชี้วัด <span lang='en'>/ Indicators</span></h3>"
            + scroll_box("<table><thead><tr><th>รหัส / Id</th><th>มิติ</th>"
                         "<th>คำถาม / Question</th><th>ประเภท / Type</th><th class='num'>สูงสุด / Max</th>"
                         f"<th class='num'>คะแนน / Points</th></tr></thead><tbody>{indicators}</tbody></table>",
                         "ตัวชี้วัด / Indicators"))


def _heatmaps(results: Results) -> str:
    """Agencies in sheet order, HEATMAP_ROWS to a chart so each stays legible in print;
    above them the colour scale and the dimensions' full names."""
    table = results.agencies
    labels = [f"{ident} {name}" for ident, name in table["name_th"].items()]
    charts = "".join(
        heatmap(results.framework, table.iloc[start:start + HEATMAP_ROWS],
                labels[start:start + HEATMAP_ROWS], f"heat{start // HEATMAP_ROWS}",
                f"heat map, agencies {start + 1}-{min(start + HEATMAP_ROWS, len(table))}")
        for start in range(0, len(table), HEATMAP_ROWS))
    scale = (f'<div class="scale" role="img" aria-label="colour scale 0 to 100%"><span>สี / Colour:</span>'
             f'<span><span class="bar" style="background:{score_gradient_css()}"></span>'
             '<span class="ticks"><span>0</span><span>25</span><span>50</span><span>75</span>'
             '<span>100%</span></span></span>'
             f'<span>ตัวเลขหนา = ต่ำกว่า {WEAK_THRESHOLD:g}% / bold = below {WEAK_THRESHOLD:g}%</span></div>')
    return scale + _dimension_key(results) + charts


def _dimension_key(results: Results) -> str:
    """The dimensions' numbers with their full names, for the charts that show only a number."""
    fw = results.framework
    items = "".join(f"<li>มิติที่ {thai_digits(d)} {escape(fw.dimension_label(d, 'th'))} "
                    f"<span class='en' lang='en'>{escape(fw.dimension_label(d, 'en'))}</span></li>"
                    for d in fw.dimension_ids)
    return f'<ol class="key">{items}</ol>'


def _level_bands(results: Results) -> str:
    """The level bands as a row of ranges, the national level marked: what the words mean."""
    bands = results.framework.bands.sort_values("lower").reset_index(drop=True)
    uppers = list(bands["lower"].iloc[1:]) + [None]
    national = results.national["level_th"]
    items = "".join(
        f'<li class="{"here" if b.label_th == national else ""}"><b>{escape(b.label_th)}</b> '
        f'<span class="en" lang="en">{escape(b.label_en)}</span> '
        + (f"{b.lower:g}–{upper:g}%" if upper is not None else f"≥ {b.lower:g}%") + "</li>"
        for b, upper in zip(bands.itertuples(), uppers))
    return ("<p class='note'>ระดับความพร้อม (จากชีต Framework) / Readiness levels (from the "
            f"Framework sheet); มิติที่ต่ำกว่า {WEAK_THRESHOLD:g}% คือมิติที่ต้องเร่งพัฒนา / "
            f"a dimension below {WEAK_THRESHOLD:g}% is weak:</p><ul class='bands'>{items}</ul>")


# For a workbook marked as invented (the samples: workbook.properties): the B.E. 2560 sample
# reproduces nine published figures, but no agency's answers are real.
ILLUSTRATIVE_NOTICE = (
    '<div class="notice" role="note"><b>ข้อมูลตัวอย่าง / illustrative data.</b> '
    "คำตอบรายหน่วยงานในรายงานนี้เป็นข้อมูลสมมุติเพื่อสาธิตการใช้งาน ไม่ใช่ผลการสำรวจจริงของหน่วยงานใด "
    '<span class="en" lang="en">The agency answers behind this report are invented to show how '
    "the tool works; they are not any agency's survey results.</span></div>")


def _answers_notice(found: Answered) -> str:
    """A (mostly) unanswered workbook told in the core's two sentences (core.results.Answered:
    the Summary's national narrative and recalc's terminal lines say the same), Thai then
    English, each headline in bold."""
    (head_th, head_en), (th, en) = found.parts()
    return (f'<div class="notice" role="note"><p lang="th"><b>{escape(head_th)}</b>: {escape(th)}</p>'
            f'<p class="en" lang="en"><b>{escape(head_en)}</b>: {escape(en)}</p></div>')


def _ministry_cards(results: Results) -> str:
    ids = results.dimension_ids
    cards = []
    for i, (name, m) in enumerate(results.ministries.iterrows()):
        chart = radar(results.framework, {f"{name} ({m['overall']:.1f}%)": m[ids],
                                          f"{results.framework.settings.all_units_th} ({results.national['overall']:.1f}%)":
                                          results.national[ids]},
                      f"radar-m{i}", f"{name} / {m['name_en']}")
        cards.append(f'<div class="card"><h3>{_both(name, m["name_en"])}</h3><div class="card-body">'
                     f'{chart}<div>{_narratives(results, "ministry", name)}</div></div></div>')
    return f'<div class="cards">{"".join(cards)}</div>'


def _agency_focus(results: Results, agency: object) -> str:
    ids = results.dimension_ids
    a = results.agencies.loc[agency]
    ministry = results.ministries.loc[a["ministry_th"]]
    chart = radar(results.framework, {
        f"{a['name_th']} ({a['overall']:.1f}%)": a[ids],
        f"{results.framework.settings.all_units_th} ({results.national['overall']:.1f}%)": results.national[ids],
        f"{a['ministry_th']} ({ministry['overall']:.1f}%)": ministry[ids]},
        "radar-focus", f"{a['name_th']} / {a['name_en']}")
    return (f'<div class="focus"><div>{chart}</div><div><h3>{_both(a["name_th"], a["name_en"])}</h3>'
            f'{_narratives(results, "agency", agency)}</div></div>')


def _agency_narratives(results: Results) -> str:
    th, en = agency_narratives(results, "th"), agency_narratives(results, "en")  # all at once
    groups = []
    for ministry, members in results.agencies.groupby("ministry_th", sort=False):
        items = "".join(
            f'<article id="agency-{escape(str(ident))}"><h4>{escape(str(ident))} {escape(a["name_th"])} '
            f'<span class="en" lang="en">{escape(a["name_en"])}</span></h4>'
            f'{_paragraphs(th[ident], en[ident])}</article>'
            for ident, a in members.iterrows())
        groups.append(f"<h3>{escape(ministry)}</h3>{items}")
    return f'<div class="narratives">{"".join(groups)}</div>'


def build_report(results: Results, source_name: str = "", agency: object = None,
                 year: int | None = None, generated: date | None = None,
                 extra_sections: list[tuple[str, str, str]] = (),
                 illustrative: bool = False) -> str:
    """The report as one HTML document. `agency` is the one shown against the nation
    (default: the first agency); `year` the survey's B.E. year (default: from the
    framework version); `extra_sections` (key, title, html), e.g. the trend, go before
    the framework; `illustrative` puts the invented-data notice on top and on every
    printed page."""
    if results.agencies.empty:
        raise ReadinessError(Problem("the workbook has no agencies to report on"))
    agency = results.agencies.index[0] if agency is None else agency
    if agency not in results.agencies.index:
        raise ReadinessError(unknown_choice("agency", str(agency), results.agencies.index))
    if year is None:
        with suppress(ValueError):  # a version naming no year: the title says none
            year = as_buddhist_year(results.framework.version)
    generated = generated or date.today()
    n = results.national
    ids = results.dimension_ids
    all_th, all_en = results.framework.settings.all_units_th, results.framework.settings.all_units_en
    title_th = "รายงานผลการสำรวจระดับความพร้อมรัฐบาลดิจิทัลของหน่วยงานภาครัฐ" + (
        f" ประจำปี {thai_digits(year)}" if year else "")
    title_en = "Digital Government Readiness Survey report" + (
        f", B.E. {year} ({common_era_year(year)})" if year else "")
    figures_counts = (
        f'<div class="figure">หน่วยงาน / Agencies<b>{len(results.agencies)}</b></div>'
        f'<div class="figure">กระทรวง / Ministries<b>{len(results.ministries)}</b></div>')
    figures = (
        f'<div class="figure">คะแนนรวม{escape(all_th)} / <span lang="en">{escape(all_en)}</span>'
        f'<b>{percent_text(n["overall"])}%</b>{_both(n["level_th"], n["level_en"])}</div>' + figures_counts)
    sections = [
        ("summary", f"ภาพรวม{all_th} / Summary: {all_en}",
         f'<div class="figures">{figures}</div>'
         f'<div class="overview"><div class="words">{_level_bands(results)}{_narratives(results, "national")}</div>'
         f'<div class="bars-part"><div class="screen-only">{dimension_bars(results.framework, n[ids], "bars-national", title_en)}</div>'
         f'<div class="print-only">{compact_bars(results.framework, n[ids], "bars-print", title_en)}'
         f'{_dimension_key(results)}</div></div>'
         '<div class="table-part"><h3>ค่าเฉลี่ยรายกระทรวงและประเภท / Ministry and kind averages</h3>'
         + _benchmark_table(results) + "</div></div>"),
        ("agencies", "ผลรายหน่วยงาน / All agencies",
         "<p class='note'><span class='screen-only'>คลิกหัวตารางเพื่อเรียงลำดับ / Click a column "
         "header to sort. </span>"
         f"ตัวหนาสีแดง = ต่ำกว่า {WEAK_THRESHOLD:g}% / bold red = below {WEAK_THRESHOLD:g}%.</p>" + _agency_table(results)),
        ("heatmap", "แผนภาพความร้อนรายมิติ / Dimension heat map", _heatmaps(results)),
        ("ministries", "รายกระทรวง / Ministries", _ministry_cards(results)),
        ("focus", f"หน่วยงานเทียบกับ{all_th} / Agency against {all_en}", _agency_focus(results, agency)),
        ("narratives", "บทสรุปรายหน่วยงาน / Agency narratives", _agency_narratives(results)),
        ("framework", "กรอบการประเมิน / Framework", _framework_section(results)),
    ]
    sections[-1:-1] = list(extra_sections)
    found = answered(results)
    if found.none:   # an unanswered workbook: no score of 0 dressed as a result
        (head_th, head_en), _ = found.parts()
        sections = [("summary", f"{head_th} / {head_en}",
                     _answers_notice(found) + f'<div class="figures">{figures_counts}</div>'), sections[-1]]
    elif found.too_few:
        sections[0] = (sections[0][0], sections[0][1], _answers_notice(found) + sections[0][2])
    nav = "".join(f'<a href="#{k}">{escape(t.split(" / ")[0])}</a>' for k, t, _ in sections)
    body = "".join(f'<section id="{k}"><h2>{escape(t)}</h2>{html}</section>' for k, t, html in sections)
    source = f" จาก / from {escape(source_name)}" if source_name else ""
    footer = " · ".join(filter(None, ["ข้อมูลตัวอย่าง / illustrative data" if illustrative else "",
                                      source_name, "readiness-xl"]))
    page_css = ('@page { @bottom-left { content: "' + re.sub(r'["\\<>]', "", footer)
                + '"; font-family: Tahoma, Loma, Garuda, sans-serif; font-size: 9pt; color: #5b6775; } }')
    return (
        '<!DOCTYPE html>\n<html lang="th"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title_th)}</title><style>{CSS}{page_css}</style></head><body>"
        f'<header><h1>{escape(title_th)}</h1><div class="sub" lang="en">{escape(title_en)}</div>'
        f'<p class="note">สร้างเมื่อ {thai_date(generated)}{source} · readiness-xl</p>'
        + (ILLUSTRATIVE_NOTICE if illustrative else "")
        + f"<nav>{nav}</nav></header>{mark_english(body)}<script>{JS}</script></body></html>\n")
