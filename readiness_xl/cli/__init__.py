"""The `readiness-xl` command line: one module per group of commands."""
