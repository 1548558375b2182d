"""build-addin, lite and doctor: the Excel ribbon add-in, the files for xlwings Lite, and\na check of what Excel needs on this computer."""

from __future__ import annotations

import os
from pathlib import Path

import click

from readiness_xl.builder.addin import build_addin
from readiness_xl.cli.main import cli
from readiness_xl.errors import Problem, ReadinessError


@cli.command("build-addin")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def build_addin_command(out: Path) -> None:
    """Write the ribbon add-in to OUT (readiness_xl.xlam; any file name works)."""
    build_addin(out)
    click.echo(f"Add-in written to {out}")


@cli.command("lite")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def lite_command(directory: Path) -> None:
    """Write main.py and requirements.txt for xlwings Lite (Excel on Mac and the web) into
    DIRECTORY: paste each into the xlwings Lite editor's tab of the same name.

    \b
    Example:
      readiness-xl lite lite/   then paste lite/main.py and
                                lite/requirements.txt into xlwings Lite"""
    from readiness_xl.lite import write_lite
    for path in write_lite(directory):
        click.echo(f"Written {path}")


@cli.command("doctor")
@click.option("--fix", is_flag=True, help="Write the settings xlwings reads (this Python) for "
              "xlwings' add-in and ours.")
def doctor_command(fix: bool) -> None:
    """What Excel needs on this computer and what is missing, in Thai and English
    (Python, packages, xlwings' add-in, our add-in's name, the trust setting, settings)."""
    from readiness_xl import doctor
    home = Path(os.environ.get("USERPROFILE") or Path.home())
    if fix:
        if doctor.INTERPRETER_KEY is None:
            raise ReadinessError(Problem("Excel does not run on this system: nothing to fix here"))
        for path in doctor.write_conf(home):
            click.echo(f"Written {path}")
    import textwrap
    found = doctor.checks(home)
    marks = {doctor.OK: "ok", doctor.MISSING: "!!", doctor.UNKNOWN: "--"}
    click.echo("ok = พร้อม / ready   !! = ต้องแก้ / to fix   -- = ตรวจบนเครื่องนี้ไม่ได้ / "
               "cannot be checked here")
    for check in found:
        click.echo(f"[{marks[check.status]}] {check.name}")
        if check.status != doctor.OK:
            for text in (check.th, check.en):
                click.echo(textwrap.fill(text, 96, initial_indent="     ",
                                         subsequent_indent="     "))
    if any(c.status == doctor.MISSING for c in found):
        raise SystemExit(1)
