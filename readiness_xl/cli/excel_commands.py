"""build-addin and lite: the Excel ribbon add-in, and the files for xlwings Lite."""

from __future__ import annotations

from pathlib import Path

import click

from readiness_xl.builder.addin import build_addin
from readiness_xl.cli.main import cli


@cli.command("build-addin")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def build_addin_command(out: Path) -> None:
    """Write the ribbon add-in (must be named readiness_xl.xlam) to OUT."""
    build_addin(out)
    click.echo(f"Add-in written to {out}")


@cli.command("lite")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def lite_command(directory: Path) -> None:
    """Write main.py and requirements.txt for xlwings Lite (Excel on Mac and the web) into
    DIRECTORY: paste each into the xlwings Lite editor's tab of the same name."""
    from readiness_xl.lite import write_lite
    for path in write_lite(directory):
        click.echo(f"Written {path}")
