"""Collecting returned questionnaires into the master workbook.

Every returned file is checked on its own (stamp, agency, framework version, answers),
so one bad file never stops the good ones. What happened to each file is appended to
the master's `Validation` sheet, which is also the ledger of what was merged from which
file: an agency returned twice, in one run or across runs, is never silently overwritten.
Answers are patched into the master's answer cells and the Summary recalculated, all in
one atomic replace of the master; nothing else in it is touched.

Decisions: a form with any bad answer is rejected whole (an agency's return is one
statement; half of it would be scored as if the rest were unanswered). Blank answers
are merged as missing, each reported as a warning, and scored by the --missing policy."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import pandas as pd

from readiness_xl.core.answers import is_blank, parse_answers
from readiness_xl.core.results import Results
from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.survey.forms import form_agency
from readiness_xl.workbook.atomic_write import check_not_locked
from readiness_xl.workbook.fast_read import open_workbook
from readiness_xl.workbook.layout import SUMMARY_SHEET
from readiness_xl.workbook.locks import exclusive
from readiness_xl.workbook.package import WORKBOOK_PART, sheet_part, sheet_parts
from readiness_xl.workbook.package_edits import full_calc_on_load
from readiness_xl.workbook.parts import replace_parts
from readiness_xl.workbook.read import Book, damaged, read_book
from readiness_xl.workbook.read_back import check_cells
from readiness_xl.workbook.recalc import dashboard_edit, score_book, summary_cells
from readiness_xl.workbook.sheet_writer import Paper, SheetSpec, row_heights, sheet_edits
from readiness_xl.workbook.sheet_xml import render_sheet_data, set_cells

VALIDATION_SHEET = "Validation"
VALIDATION_HEADER = ["เวลาที่รวบรวม / Collected at", "ไฟล์ / File", "หน่วยงาน / Agency",
                     "ชีต / Sheet", "เซลล์ / Cell", "สถานะ / Status", "ปัญหา / Problem",
                     "แก้ไขไฟล์ล่าสุด / File modified", "SHA-256"]
# Landscape A4 at full size: the file, the problem and the SHA-256 wrap (rows as tall as needed).
VALIDATION_WIDTHS = [21, 18, 11, 8, 7, 10, 40, 21, 38]
VALIDATION_WRAPPED = (1, 6, 8)  # columns (0-based) whose text wraps
MERGED, WARNING, REJECTED = "merged", "warning", "rejected"
SUPERSEDED, UNCHANGED, SKIPPED = "superseded", "unchanged", "skipped"


@dataclass
class Returned:
    """One returned file as read and checked; `problems` non-empty means rejected."""

    path: Path
    agency: str | None = None
    answers: pd.Series | None = None        # raw cell values by master indicator id
    sha256: str = ""
    modified: str = ""                      # file mtime, ISO seconds (sorts as time)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class ReportRow:
    file: str
    agency: str
    sheet: str
    cell: str
    status: str
    problem: str


@dataclass
class CollectReport:
    rows: list[ReportRow]
    files: int
    merged: list[str]                       # agency ids whose answers were written
    rejected: int                           # files rejected
    results: Results | None = None

    @property
    def first_rejection(self) -> ReportRow | None:
        return next((r for r in self.rows if r.status == REJECTED), None)


def _reject(ret: Returned, message: str, sheet: str | None = None, cell: str | None = None) -> Returned:
    ret.problems.append(Problem(message, sheet, cell, ret.path.name))
    return ret


def read_returned(path: Path, master: Book) -> Returned:
    """Read and check one returned form against the master; never raises for bad input."""
    ret = Returned(Path(path))
    if ret.path.name.startswith("~$"):
        return ret
    try:
        form = read_book(ret.path)
        data = ret.path.read_bytes()
    except ReadinessError as err:
        ret.problems = err.in_file(ret.path.name).problems
        return ret
    ret.sha256 = hashlib.sha256(data).hexdigest()
    try:
        ret.modified = datetime.fromtimestamp(ret.path.stat().st_mtime).isoformat(timespec="seconds")
    except (ValueError, OverflowError, OSError):  # a date past 9999 (extraction can set any)
        return _reject(ret, "the file's modification date is out of range (past the year "
                            "9999); save or copy the form again and collect the copy")
    agency = ret.agency = form_agency(ret.path)
    if agency is None:
        return _reject(ret, "no agency stamp (defined name FormAgency): not a questionnaire "
                            "made by `readiness-xl forms`")
    if list(form.agencies.index) != [agency]:
        return _reject(ret, f"stamped for agency '{agency}' but its Agencies sheet lists "
                            f"{', '.join(form.agencies.index)}", "Agencies")
    if agency not in master.agencies.index:
        return _reject(ret, f"agency '{agency}' is not in the master's Agencies sheet")
    version, expected = form.framework.version, master.framework.version
    if version != expected:
        return _reject(ret, f"framework version '{version}' is not the master's '{expected}'",
                       "Framework")
    ids = master.framework.indicator_ids
    if set(form.framework.indicator_ids) != set(ids):
        odd = sorted(set(form.framework.indicator_ids) ^ set(ids))
        return _reject(ret, f"indicators differ from the master's ({', '.join(odd)})", "Framework")
    raw = form.raw_answers.loc[[agency], ids]
    parsed, bad = parse_answers(raw, master.framework)
    if bad:
        ret.problems = [form.locate(b) for b in bad]
        return ret
    for indicator in parsed.columns[parsed.iloc[0].isna().to_numpy()]:
        sheet, cell = form.answer_cells.get((agency, indicator), (agency, None))
        ret.warnings.append(Problem(f"indicator {indicator}: no answer (merged as missing)",
                                    sheet, cell, ret.path.name))
    ret.answers = raw.iloc[0]
    return ret


@dataclass(frozen=True)
class Earlier:
    """What the Validation ledger says was merged for an agency before this run."""

    file: str
    sha256: str
    modified: str


def ledger(rows: list[list]) -> dict[str, Earlier]:
    """Agency -> its last merged file, from the Validation sheet's rows (header excluded)."""
    out = {}
    for row in rows:
        row = list(row) + [None] * (len(VALIDATION_HEADER) - len(row))
        if row[5] == MERGED and row[2]:
            out[str(row[2])] = Earlier(str(row[1]), str(row[8] or ""), str(row[7] or ""))
    return out


def decide(returns: list[Returned], earlier: dict[str, Earlier],
           replace: bool) -> dict[int, tuple[str, str]]:
    """Status and note of each valid return (by index): which one merges for each agency,
    and which are refused as duplicates, within this run and against the ledger."""
    decisions: dict[int, tuple[str, str]] = {}
    valid = [i for i, r in enumerate(returns) if r.agency and not r.problems]
    groups: dict[str, list[int]] = {}
    for i in valid:
        groups.setdefault(returns[i].agency, []).append(i)
    for agency, group in groups.items():
        group.sort(key=lambda i: (returns[i].modified, returns[i].path.name))
        chosen = group[-1]
        names = " and ".join(returns[i].path.name for i in group)
        distinct = {returns[i].sha256 for i in group}
        if len(distinct) > 1 and not replace:
            for i in group:
                decisions[i] = (REJECTED, f"agency '{agency}' returned {len(group)} times ({names}) "
                                          "with different answers; pass --replace to take the newest")
            continue
        for i in group[:-1]:
            decisions[i] = ((UNCHANGED, f"same content as {returns[chosen].path.name}")
                            if returns[i].sha256 == returns[chosen].sha256 else
                            (SUPERSEDED, f"replaced by the newer {returns[chosen].path.name}"))
        before, ret = earlier.get(agency), returns[chosen]
        if before is None:
            decisions[chosen] = (MERGED, "")
        elif before.sha256 == ret.sha256:
            decisions[chosen] = (UNCHANGED, f"already collected from {before.file} (same content)")
        elif not replace:
            decisions[chosen] = (REJECTED, f"agency '{agency}' was already collected from "
                                           f"{before.file} (modified {before.modified}); pass "
                                           "--replace to take the newer file")
        elif ret.modified < before.modified:
            decisions[chosen] = (REJECTED, f"older than {before.file} (modified {before.modified}), "
                                           "which was already collected")
        else:
            decisions[chosen] = (MERGED, f"replaces {before.file} collected earlier")
    return decisions


def _answer_cells(master: Book, ret: Returned
                  ) -> tuple[dict[str, dict[str, object]], dict[tuple[str, str], object], int, list]:
    """Master cells to write for one merged return, by sheet, and the same values by
    (agency, indicator); the count of answers that differ from what the master held;
    indicators the master has no cell for."""
    cells: dict[str, dict[str, object]] = {}
    answers: dict[tuple[str, str], object] = {}
    nowhere = []
    for indicator, value in ret.answers.items():
        where = master.answer_cells.get((ret.agency, indicator))
        if where is None:
            nowhere.append(indicator)
            continue
        cells.setdefault(where[0], {})[where[1]] = answers[(ret.agency, indicator)] = \
            None if is_blank(value) else value
    old = master.raw_answers.loc[ret.agency, ret.answers.index]
    changed = int(sum(not is_blank(a) and not is_blank(b) and a != b
                      for a, b in zip(old, ret.answers)))
    return cells, answers, changed, nowhere


def read_validation(path: Path) -> list[list]:
    """The rows already on the master's Validation sheet (none if it has no such sheet)."""
    wb = open_workbook(path)
    try:
        if VALIDATION_SHEET not in wb.sheetnames:
            return []
        return [list(r) for r in wb[VALIDATION_SHEET].iter_rows(min_row=2, values_only=True)
                if any(v is not None for v in r)]
    except Exception as err:  # parts are unpacked here: a damaged sheet shows up now
        if not damaged(err):
            raise
        raise ReadinessError(Problem(
            f"the sheet is damaged ({err.__class__.__name__}: {' '.join(str(err).split())}); "
            "repair the workbook in Excel, or delete the sheet to start a new ledger",
            VALIDATION_SHEET, file=path.name)) from None
    finally:
        wb.close()


def validation_spec(table: list[list]) -> SheetSpec:
    """The Validation sheet (header first): text, times as written, wrapped where long."""
    from openpyxl.utils.cell import get_column_letter

    letters = [get_column_letter(c) for c in range(1, len(VALIDATION_HEADER) + 1)]
    widths = dict(zip(letters, VALIDATION_WIDTHS))
    wrapped = {c: VALIDATION_WIDTHS[c] for c in VALIDATION_WRAPPED}
    return SheetSpec(VALIDATION_SHEET, table, {c: "@" for c in letters}, widths, freeze="A2",
                     wrap=frozenset(letters[c] for c in VALIDATION_WRAPPED),
                     heights=row_heights(table, wrapped, widths), paper=Paper(title_rows="1:1"))


def _write(master: Book, cells: dict[str, dict], rows: list[list], summary: list[list],
           results: Results, target: Path) -> None:
    """Patch the answer cells, the Validation sheet, the Summary and the Dashboard's cached
    values of the master into `target`, in one pass over the package."""
    with zipfile.ZipFile(master.path) as zf:
        parts = sheet_parts(zf)
        edits = {parts[sheet]: (lambda data, v=values: set_cells(data.decode("utf-8"), v).encode("utf-8"))
                 for sheet, values in cells.items()}
        summary_part = sheet_part(zf, SUMMARY_SHEET)
        edit_answers = edits.get(summary_part, lambda data: data)
        edits[summary_part] = lambda data: render_sheet_data(
            edit_answers(data).decode("utf-8"), summary).encode("utf-8")
        added, new_parts = sheet_edits(zf, validation_spec([VALIDATION_HEADER] + rows))
        edits.update(added)
    edits.update(dashboard_edit(master.path, results, summary))
    add_sheet = edits.get(WORKBOOK_PART, lambda data: data)
    edits[WORKBOOK_PART] = lambda data: full_calc_on_load(add_sheet(data).decode("utf-8")).encode("utf-8")
    # Every part is read back before the master is replaced (replace_parts); the answers
    # patched into the agencies' own sheet XML are also parsed and compared cell by cell.
    verify = {parts[sheet]: check_cells(values) for sheet, values in cells.items()}
    replace_parts(master.path, target, edits, new_parts, verify)


def collect_forms(files: list[Path], master_path: Path, replace: bool = False,
                  missing: str | None = None, progress=None) -> CollectReport:
    """Check every returned file, merge the good ones into the master, append the report
    to its Validation sheet and recalculate, in one atomic replace of the master."""
    master_path = Path(master_path)
    check_not_locked(master_path)
    with exclusive(master_path):  # from reading the master to replacing it: no lost update
        return _collect(files, master_path, replace, missing, progress)


def _collect(files: list[Path], master_path: Path, replace: bool, missing: str,
             progress) -> CollectReport:
    master = read_book(master_path)
    score_book(master, missing)     # a master that cannot be scored is refused before any merge
    history = read_validation(master_path)
    seen, returns = set(), []
    for path in map(Path, files):
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            returns.append(read_returned(path, master))
        if progress:
            progress()
    decisions = decide(returns, ledger(history), replace)

    now = datetime.now().isoformat(timespec="seconds")
    rows: list[ReportRow] = []
    ledger_rows: list[list] = []
    cells: dict[str, dict] = {}
    written: dict[tuple[str, str], object] = {}   # the same values by (agency, indicator)
    merged: list[str] = []
    rejected = 0

    def add(ret: Returned, status: str, problem: str, sheet=None, cell=None) -> None:
        row = ReportRow(ret.path.name, ret.agency or "", sheet or "", cell or "", status, problem)
        rows.append(row)
        ledger_rows.append([now, row.file, row.agency, row.sheet, row.cell, status, problem,
                            ret.modified, ret.sha256 if status == MERGED else ""])

    for i, ret in enumerate(returns):
        if ret.path.name.startswith("~$"):
            add(ret, SKIPPED, "an Excel owner (lock) file, not a form: is the form open in Excel?")
            continue
        if ret.problems:
            rejected += 1
            for p in ret.problems:
                add(ret, REJECTED, p.message, p.sheet, p.cell)
            continue
        status, note = decisions[i]
        if status != MERGED:
            rejected += status == REJECTED
            add(ret, status, note)
            continue
        sheet_cells, answers, changed, nowhere = _answer_cells(master, ret)
        for sheet, values in sheet_cells.items():
            cells.setdefault(sheet, {}).update(values)
        written.update(answers)
        merged.append(ret.agency)
        answered = len(ret.answers) - len(ret.warnings)
        text = f"{answered} of {len(ret.answers)} answers merged"
        if changed:
            text += f"; {changed} replace different answers the master held"
        add(ret, MERGED, f"{text}; {note}" if note else text, ret.agency)
        for p in ret.warnings:
            add(ret, WARNING, p.message, p.sheet, p.cell)
        for indicator in nowhere:
            add(ret, WARNING, f"indicator {indicator}: the master has no row for it on sheet "
                              f"'{ret.agency}'; not merged", ret.agency)

    try:  # the merged answers are scored in memory: the master is read once, written once
        merged_book = _merged(master, written)
        results = score_book(merged_book, missing)
        _write(master, cells, history + ledger_rows, summary_cells(merged_book, results, missing),
               results, master_path)
    except ReadinessError as err:
        raise ReadinessError([Problem(p.message, p.sheet, p.cell, p.file or master_path.name)
                              for p in err.problems]) from None
    return CollectReport(rows, len(returns), merged, rejected, results)


def _merged(master: Book, answers: dict[tuple[str, str], object]) -> Book:
    """The master as it reads once `answers` ((agency, indicator) -> value) are written."""
    if not answers:
        return master
    raw = master.raw_answers
    (agencies, indicators), values = zip(*answers), list(answers.values())
    array = raw.to_numpy(dtype=object, copy=True)
    array[raw.index.get_indexer(agencies), raw.columns.get_indexer(indicators)] = values
    return replace(master, raw_answers=pd.DataFrame(array, index=raw.index, columns=raw.columns,
                                                    dtype=object))
