"""Entry point of `readiness-xl`: the command group and its error handling.

Every command fails with one clear line on stderr and a non-zero exit; a traceback
is shown only with --debug."""

from __future__ import annotations

import os
import sys
import warnings

import click

from readiness_xl.errors import ReadinessError, ReadinessWarning

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70


class ReadinessGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
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
            click.echo(f"readiness-xl: internal error: {err.__class__.__name__}: {err} "
                       "(run with --debug for details)", err=True)
            sys.exit(EXIT_INTERNAL)


@click.group(cls=ReadinessGroup)
@click.option("--debug", is_flag=True, help="Show Python tracebacks for unexpected errors.")
@click.option("--all-problems", is_flag=True,
              help="On bad input, list every problem with its cell (one a line), not only the first.")
@click.version_option(package_name="readiness-xl")
@click.pass_context
def cli(ctx: click.Context, debug: bool, all_problems: bool) -> None:
    """Score digital-government readiness workbooks (Thai B.E. 2560 framework)."""
    ctx.ensure_object(dict).update(debug=debug, all_problems=all_problems)
    warnings.showwarning = _show_warning


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Our warnings as one plain line on stderr; others as Python shows them."""
    if issubclass(category, ReadinessWarning):
        click.echo(f"readiness-xl: warning: {message}", err=True)
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


# Commands register themselves on `cli` when their module is imported.
from readiness_xl.cli import (
    excel_commands,  # noqa: E402,F401
    method_commands,  # noqa: E402,F401
    report_commands,  # noqa: E402,F401
    scoring_commands,  # noqa: E402,F401
    survey_commands,  # noqa: E402,F401
)
