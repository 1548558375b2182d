"""build-addin: the Excel ribbon add-in."""

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
