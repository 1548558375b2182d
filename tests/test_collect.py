"""A survey round end to end: 50 questionnaires out, 50 back (5 of them bad in different
ways), 45 merged, 5 reported with file, sheet and cell, the master recalculated to
hand-computed scores; and an agency returned twice is never silently overwritten."""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from readiness_xl.builder.template import build_workbook, save_workbook
from readiness_xl.sample.source_data import load_agencies, load_framework
from readiness_xl.workbook.package import sheet_parts
from readiness_xl.workbook.parts import replace_parts
from readiness_xl.workbook.read import read_book
from readiness_xl.workbook.sheet_xml import set_cells
from readiness_xl.workbook.summary import ROW_TYPES
from tests.conftest import run_cli

FRAMEWORK = load_framework()
TYPES = FRAMEWORK.indicators["type"]
FULL = {i: "ใช่" if t == "yesno" else 100 if t == "percent" else int(FRAMEWORK.indicators.at[i, "max"])
        for i, t in TYPES.items()}
ZERO = {i: "ไม่ใช่" if t == "yesno" else 0 for i, t in TYPES.items()}
BLANK = FRAMEWORK.indicator_ids[0]                       # left unanswered by group C
SCALE = TYPES.index[TYPES == "scale"][0]


def patch_sheet(path: Path, sheet: str, values: dict[str, object], error: str | None = None) -> None:
    """Type into a returned form's cells (an error value as Excel stores it, t="e")."""
    def edit(data: bytes) -> bytes:
        xml = set_cells(data.decode(), values)
        if error:
            ref = next(iter(values))
            xml = re.sub(rf'<c r="{ref}"([^>]*?)><v>[^<]*</v></c>',
                         lambda m: f'<c r="{ref}"{m.group(1)} t="e"><v>{error}</v></c>', xml)
        return xml.encode()
    with zipfile.ZipFile(path) as zf:
        part = sheet_parts(zf)[sheet]
    replace_parts(path, path, {part: edit})


def hand_overall_without(indicator: str) -> float:
    """Overall % when every answer is full except `indicator`: its dimension loses the
    indicator's share of that dimension's points, weighted by the dimension's weight."""
    ind = FRAMEWORK.indicators
    dim = ind.at[indicator, "dimension"]
    lost = 100 * ind.at[indicator, "points"] / ind.loc[ind["dimension"] == dim, "points"].sum()
    weights = FRAMEWORK.dimensions["weight"]
    return 100 - weights[dim] * lost / weights.sum()


@pytest.fixture(scope="module")
def round_of_50(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("round")
    sample = load_agencies()
    agencies = pd.concat([sample] * 2).iloc[:50].copy()
    agencies.index = pd.Index([f"A{k:02d}" for k in range(1, 51)], name=sample.index.name)
    agencies["name_en"] = [f"{n} ({i})" for n, i in zip(agencies["name_en"], agencies.index)]
    master = tmp / "master.xlsx"
    save_workbook(build_workbook(FRAMEWORK, agencies), master)
    run_cli("forms", master, "-d", tmp / "out")
    rows = {ind: cell for (_, ind), (_, cell) in read_book(tmp / "out" / "A01.xlsx").answer_cells.items()}

    for k, agency in enumerate(agencies.index, start=1):
        form = tmp / "out" / f"{agency}.xlsx"
        answers = FULL if k <= 15 else ZERO if k <= 30 else {**FULL, BLANK: None}
        patch_sheet(form, agency, {rows[i]: v for i, v in answers.items()})
    patch_sheet(tmp / "out" / "A46.xlsx", "A46", {rows[SCALE]: 7})
    patch_sheet(tmp / "out" / "A47.xlsx", "A47", {rows[SCALE]: "ไม่ทราบ"})
    patch_sheet(tmp / "out" / "A48.xlsx", "A48", {rows[SCALE]: 0}, error="#N/A")
    patch_sheet(tmp / "out" / "A49.xlsx", "Framework", {"B2": "B.E. 2561 (2018) v1"})
    damaged = tmp / "out" / "A50.xlsx"
    damaged.write_bytes(damaged.read_bytes()[:5000])
    result = run_cli("collect", *sorted((tmp / "out").glob("A*.xlsx")), "--into", master, check=False)
    return master, agencies, rows, result


def test_45_merged_5_rejected_exit_1_one_line(round_of_50):
    _, _, _, result = round_of_50
    assert result.returncode == 1
    assert "45 of 50 forms merged" in result.stdout and "5 rejected" in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("readiness-xl: error: 5 of 50 forms rejected; first: A46.xlsx")
    assert "Traceback" not in result.stderr


def test_validation_sheet_names_file_sheet_cell_and_problem(round_of_50):
    master, _, rows, _ = round_of_50
    table = pd.DataFrame(list(load_workbook(master, read_only=True)["Validation"].iter_rows(
        min_row=2, values_only=True)), columns=["at", "file", "agency", "sheet", "cell", "status",
                                                 "problem", "modified", "sha"])
    assert (table["status"] == "merged").sum() == 45
    assert sorted(table.loc[table["status"] == "rejected", "file"]) == [f"A{k}.xlsx" for k in range(46, 51)]
    rejected = table[table["status"] == "rejected"].set_index("file")
    assert rejected.loc["A46.xlsx", ["sheet", "cell"]].tolist() == ["A46", rows[SCALE]]
    assert rejected.loc["A46.xlsx", "problem"] == f"indicator {SCALE}: 7 is outside 0..{FULL[SCALE]}"
    assert rejected.loc["A47.xlsx", "problem"] == f"indicator {SCALE}: 'ไม่ทราบ' is not a number"
    assert rejected.loc["A48.xlsx", ["sheet", "cell", "problem"]].tolist() == [
        "A48", rows[SCALE], f"indicator {SCALE}: cell holds the Excel error #N/A"]
    assert "framework version 'B.E. 2561 (2018) v1'" in rejected.loc["A49.xlsx", "problem"]
    assert "truncated" in rejected.loc["A50.xlsx", "problem"]
    warnings = table[table["status"] == "warning"]
    assert sorted(warnings["agency"]) == [f"A{k}" for k in range(31, 46)]
    assert set(warnings["cell"]) == {rows[BLANK]}
    merged = table[table["status"] == "merged"]
    assert merged["sha"].str.fullmatch(r"[0-9a-f]{64}").all()


def test_master_is_recalculated_to_hand_computed_scores(round_of_50, tmp_path):
    master, agencies, rows, _ = round_of_50
    summary = pd.DataFrame(list(load_workbook(master, read_only=True, data_only=True)["Summary"].iter_rows(values_only=True)))
    header, body = summary.iloc[0].tolist(), summary.iloc[1:]
    body.columns = header
    agency_rows = body[body.iloc[:, 0] == ROW_TYPES["agency"]].set_index(header[1])
    overall = agency_rows["คะแนนรวม / Overall %"].astype(float)
    complete = agency_rows["ความครบถ้วน / Completeness %"].astype(float)
    partial = hand_overall_without(BLANK)
    n = len(FRAMEWORK.indicator_ids)
    for k, agency in enumerate(agencies.index, start=1):
        expected = 100 if k <= 15 else 0 if k <= 30 else partial if k <= 45 else 0
        assert overall[agency] == pytest.approx(expected), agency
        assert complete[agency] == pytest.approx(100 if k <= 30 else 100 * (n - 1) / n if k <= 45 else 0)
    national = json.loads(run_cli("recalc", master, "-o", tmp_path / "again.xlsx", "--json").stdout)
    assert national["national"]["overall"] == pytest.approx((15 * 100 + 15 * partial) / 50)
    answers = load_workbook(master, read_only=True)
    assert answers["A01"][rows[SCALE]].value == FULL[SCALE] and answers["A16"][rows[SCALE]].value == 0
    assert answers["A31"][rows[BLANK]].value is None and answers["A46"][rows[SCALE]].value is None


def _answer(path: Path, sheet: str, cell: str):
    return load_workbook(path, read_only=True)[sheet][cell].value


def test_an_agency_returned_twice_is_never_silently_overwritten(sample_copy, tmp_path):
    run_cli("forms", sample_copy, "-d", tmp_path / "out", "--prefill")
    cell = read_book(sample_copy).answer_cells[("D03", SCALE)][1]
    original = _answer(sample_copy, "D03", cell)
    older, newer, newest = (tmp_path / name for name in ("D03-old.xlsx", "D03-new.xlsx", "D03-newest.xlsx"))
    for path, value, stamp in ((older, 1, 1_700_000_000), (newer, 2, 1_700_000_100), (newest, 3, 1_700_000_200)):
        path.write_bytes((tmp_path / "out" / "D03.xlsx").read_bytes())
        patch_sheet(path, "D03", {cell: value})
        os.utime(path, (stamp, stamp))

    result = run_cli("collect", older, newer, "--into", sample_copy, check=False)
    assert result.returncode == 1 and "returned 2 times (D03-old.xlsx and D03-new.xlsx)" in result.stderr
    assert _answer(sample_copy, "D03", cell) == original

    result = run_cli("collect", older, newer, "--into", sample_copy, "--replace")
    assert "superseded" in result.stdout and _answer(sample_copy, "D03", cell) == 2

    result = run_cli("collect", newer, "--into", sample_copy)          # the same file again
    assert "already collected from D03-new.xlsx (same content)" in result.stdout

    result = run_cli("collect", newest, "--into", sample_copy, check=False)
    assert result.returncode == 1 and "already collected from D03-new.xlsx" in result.stderr
    assert _answer(sample_copy, "D03", cell) == 2

    result = run_cli("collect", older, "--into", sample_copy, "--replace", check=False)
    assert result.returncode == 1 and "older than D03-new.xlsx" in result.stderr

    run_cli("collect", newest, "--into", sample_copy, "--replace")
    assert _answer(sample_copy, "D03", cell) == 3


def test_summary_scored_in_memory_is_what_a_recalc_writes(round_of_50, tmp_path):
    """collect scores the merged answers without reading the master back: its Summary
    is exactly the one a recalc of the written master produces."""
    master = round_of_50[0]
    again = tmp_path / "again.xlsx"
    run_cli("recalc", master, "-o", again)

    def summary(path: Path) -> list[tuple]:
        return list(load_workbook(path, read_only=True, data_only=True)["Summary"].iter_rows(values_only=True))
    assert summary(master) == summary(again)
