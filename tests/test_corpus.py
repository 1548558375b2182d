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
