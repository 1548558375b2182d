"""`python -m readiness_xl` is the `readiness-xl` command."""

from readiness_xl.cli.main import run

run()
