"""Headless Chromium at the edge: printing the HTML report to PDF (and, in tests,
looking at it). Runs with a throw-away profile and no network chatter, so it works the
same on a server, in CI and on a laptop where Chromium is already open."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook.atomic_write import atomic_target
from readiness_xl.workbook.locks import scratch_folder

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
QUIET_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", "--mute-audio")
TIMEOUT_SECONDS = 180
CHROMIUM_MISSING = "Chromium is needed for this (install the 'chromium' package)"


def find_chromium() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def run_headless(*args: str, timeout: float = TIMEOUT_SECONDS) -> subprocess.CompletedProcess:
    """Run headless Chromium with `args` (flags then the page URL) in a fresh profile."""
    browser = find_chromium()
    if browser is None:
        raise ReadinessError(Problem(CHROMIUM_MISSING))
    with scratch_folder("chromium") as profile:  # removed, even after a kill (by the next run)
        try:
            return subprocess.run([browser, *QUIET_FLAGS, f"--user-data-dir={profile}", *args],
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ReadinessError(Problem(f"Chromium did not finish within {timeout:g} s")) from None


def print_pdf(html: Path, pdf: Path) -> None:
    """Print the page at `html` to `pdf`; the target is replaced only by a complete PDF."""
    with atomic_target(pdf) as tmp:
        done = run_headless("--no-pdf-header-footer", f"--print-to-pdf={tmp}",
                            Path(html).resolve().as_uri())
        if tmp.stat().st_size == 0 or tmp.read_bytes()[:5] != b"%PDF-":
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise ReadinessError(Problem(f"Chromium could not print the report ({last})",
                                         file=str(pdf)))
