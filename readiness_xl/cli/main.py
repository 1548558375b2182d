"""Entry point of `readiness-xl`: the command group and its error handling.

Every command fails with one clear line on stderr and a non-zero exit; a traceback
is shown only with --debug."""

from __future__ import annotations

import importlib
import os
import sys

import click

from readiness_xl.errors import ReadinessError

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70


# The commands of each module under readiness_xl/cli/ (a new command group: add its
# module here). A module is imported when one of its commands runs, all of them when
# --help lists them, none for --version: their imports (pandas, openpyxl, rich...) cost
# a second at every start. A command missing here still works: all modules load.
COMMANDS = {
    "scoring_commands": ("demo", "recalc", "sample", "new-template"),
    "survey_commands": ("forms", "collect"),
    "report_commands": ("report",),
    "excel_commands": ("build-addin",),
}


class ReadinessGroup(click.Group):
    _loading = False   # a command module is being imported (it adds its commands)
    _loaded = False    # every command module has been imported

    def _import(self, modules) -> None:
        loading, self._loading = self._loading, True
        try:
            for module in modules:
                importlib.import_module(f"readiness_xl.cli.{module}")
        finally:
            self._loading = loading

    @property
    def commands(self) -> dict[str, click.Command]:
        """Every command, their modules imported on first use."""
        if not (self._loading or self._loaded):
            self._loaded = True
            self._import(COMMANDS)
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """One command, importing only its own module when COMMANDS names it."""
        modules = [m for m, names in COMMANDS.items() if cmd_name in names]
        if modules and not self._loaded:
            self._import(modules)
            return self._commands.get(cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ReadinessError as err:
            click.echo(f"readiness-xl: error: {err.one_line()}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except BrokenPipeError:  # output piped into `head` and the like: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except Exception as err:  # an unexpected failure is still one line, unless --debug
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"readiness-xl: internal error: {err.__class__.__name__}: {err} "
                       "(run with --debug for details)", err=True)
            sys.exit(EXIT_INTERNAL)


@click.group(cls=ReadinessGroup)
@click.option("--debug", is_flag=True, help="Show Python tracebacks for unexpected errors.")
@click.version_option(package_name="readiness-xl")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Score digital-government readiness workbooks (Thai B.E. 2560 framework)."""
    ctx.ensure_object(dict)["debug"] = debug
