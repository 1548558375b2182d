"""readiness-xl: score how ready government agencies are for digital government.

The package is a functional core (framework, answers, scoring, benchmarks, results)
with workbook I/O and the command line at the edges. Excel adapters live in `udfs/`.
"""

__version__ = "0.1.0"


def main() -> None:
    """What the ribbon add-in's button runs (xlwings' ribbon template calls
    `<add-in file name>.main()`; the add-in is readiness_xl.xlam)."""
    from udfs.ribbon import recalculate_all_agencies
    recalculate_all_agencies()
