"""Entry point of `readiness-xl`: the command group and its error handling.

Every command fails with one clear line on stderr and a non-zero exit; a traceback
is shown only with --debug."""

from __future__ import annotations

import importlib
import os
import sys
import warnings

import click

from readiness_xl.errors import ReadinessError, ReadinessWarning, visible

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70

# `--help` lists the commands in the order of the work, each with one example. A command
# not (yet) installed is skipped; one missing from this list comes last, alphabetically.
COMMAND_EXAMPLES = (
    ("new-template", "readiness-xl new-template master.xlsx"),
    ("forms", "readiness-xl forms master.xlsx -d out/"),
    ("collect", "readiness-xl collect returned/*.xlsx --into master.xlsx"),
    ("recalc", "readiness-xl recalc master.xlsx --json"),
    ("report", "readiness-xl report master.xlsx -o report.pdf"),
    ("trend", "readiness-xl trend master_2559.xlsx master_2560.xlsx -o trend.xlsx"),
    ("robustness", "readiness-xl robustness master.xlsx --json"),
    ("audit", "readiness-xl audit master.xlsx"),
    ("load-answers", "readiness-xl load-answers answers.csv --into master.xlsx"),
    ("demo", "readiness-xl demo"),
    ("sample", "readiness-xl sample sample_2560.xlsx"),
    ("lite", "readiness-xl lite --help"),
    ("doctor", "readiness-xl doctor"),
    ("build-addin", "readiness-xl build-addin readiness_xl.xlam"),
)


def _quiet_unraisable(_unraisable) -> None:
    """After a clean one-line error (a full disk, say), objects collected later may fail
    again in __del__ (zipfile's close); Python would print that as a traceback."""


# The commands of each module under readiness_xl/cli/ (a new command group: add its
# module here). A module is imported when one of its commands runs, all of them when
# --help lists them, none for --version: their imports (pandas, openpyxl, rich...) cost
# a second at every start. A command missing here still works: all modules load.
COMMANDS = {
    "recalc_commands": ("recalc",),
    "scoring_commands": ("demo", "sample", "new-template"),
    "survey_commands": ("forms", "collect"),
    "report_commands": ("report",),
    "excel_commands": ("build-addin", "lite", "doctor"),
    "trend_commands": ("trend",),
    "robustness_commands": ("robustness", "audit"),
    "method_commands": ("load-answers",),
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

    def list_commands(self, ctx: click.Context) -> list[str]:
        ordered = [name for name, _ in COMMAND_EXAMPLES if name in self.commands]
        return ordered + sorted(set(self.commands) - set(ordered))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command with its whole one-line description (click would cut it with
        '...') and an example below it."""
        examples = dict(COMMAND_EXAMPLES)
        rows = []
        for name in self.list_commands(ctx):
            command = self.commands[name]
            if command.hidden:
                continue
            text = command.short_help or (command.help or "").split("\n\n")[0]
            rows.append((name, " ".join(text.split())))
            if name in examples:
                rows.append(("", f"e.g. {examples[name]}"))
        if rows:
            with formatter.section("Commands, in the order of the work"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        from readiness_xl.workbook.locks import guard_inputs
        if not (ctx.obj and ctx.obj.get("debug")) and "--debug" not in sys.argv:
            sys.unraisablehook = _quiet_unraisable
        try:
            with guard_inputs():  # no command writes over a file it read (see locks)
                return super().invoke(ctx)
        except ReadinessError as err:
            click.echo(f"readiness-xl: error: {err.one_line()}", err=True)
            if ctx.obj and ctx.obj.get("all_problems"):
                for problem in err.problems[1:]:
                    click.echo(f"readiness-xl: error: {problem}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except BrokenPipeError:  # output piped into `head` and the like: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except Exception as err:  # an unexpected failure is still one line, unless --debug
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(visible(f"readiness-xl: internal error: {err.__class__.__name__}: {err} "
                               "(run with --debug for details)"), err=True)
            sys.exit(EXIT_INTERNAL)


@click.group(cls=ReadinessGroup, context_settings={"max_content_width": 120})
@click.option("--debug", is_flag=True, help="Show Python tracebacks for unexpected errors.")
@click.option("--all-problems", is_flag=True,
              help="On bad input, list every problem with its cell (one a line), not only the first.")
@click.version_option(package_name="readiness-xl")
@click.pass_context
def cli(ctx: click.Context, debug: bool, all_problems: bool) -> None:
    """Score digital-government readiness workbooks (Thai B.E. 2560 framework)."""
    ctx.ensure_object(dict).update(debug=debug, all_problems=all_problems)
    warnings.showwarning = _show_warning


# True once run() (the process's entry point) runs the command: the process ends with it.
_PROCESS_ENDS_WITH_COMMAND = False


def ends_with_command() -> bool:
    """Does this process end when the command returns (run(), not an in-process cli())?"""
    return _PROCESS_ENDS_WITH_COMMAND


def one_blas_thread() -> None:
    """numpy's BLAS in one thread, unless the environment names a count; for a process
    whose numpy has not loaded yet (the command line's, a benchmark's). Our matrix
    products are small (10,000 x 60) and robustness runs threads of its own: OpenBLAS's
    threads only start and spin. Measured on two cores: importing pandas 0.39 -> 0.29 s of
    CPU (15 alternating pairs), a 10,000-agency recalc 0.89x the CPU time, the
    uncertainty analysis of 1,000 runs x 10,000 units the same within the machine's noise
    (0.41-0.55 s). The variables of OpenBLAS, MKL and Apple's Accelerate, the BLAS numpy
    ships with. In-process callers (tests, Excel's Python) are left as they are."""
    for variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
        os.environ.setdefault(variable, "1")


def run() -> None:
    """The `readiness-xl` command (and `python -m readiness_xl`): cli(), then the process
    ends as soon as its output is flushed, without Python's finalisation, which frees
    every object and ~900 modules one by one (0.1 s on every command; the OS takes the
    memory back at once). mypy ends the same way. Nothing of ours waits for exit: files
    are written, replaced and closed, and read-ahead threads stopped, before a command
    returns. In-process callers (tests, click's runner) call cli() itself."""
    global _PROCESS_ENDS_WITH_COMMAND
    _PROCESS_ENDS_WITH_COMMAND = True
    one_blas_thread()
    code = 0
    try:
        cli(prog_name="readiness-xl")
    except SystemExit as end:
        code = end.code
    if code is not None and not isinstance(code, int):  # sys.exit("message"), as Python does it
        sys.stderr.write(f"{code}\n")
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # output piped into `head`: what did not fit is dropped
        pass
    os._exit(code or 0)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Our warnings as one plain line on stderr; others as Python shows them."""
    if issubclass(category, ReadinessWarning):
        click.echo(f"readiness-xl: warning: {message}", err=True)
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))
