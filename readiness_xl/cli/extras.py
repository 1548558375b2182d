"""The optional `report` extra: matplotlib (the report's charts) and SALib (the robustness
analysis's Sobol design; it requires matplotlib itself). An analyst's Excel install
(`pip install .`) leaves both out, since xlwings imports matplotlib on every start of
Excel's Python whenever it is installed. A command that needs them refuses before any
work, in one line saying what to install."""

from __future__ import annotations

from readiness_xl.errors import Problem, ReadinessError

INSTALL = 'pip install ".[report]" in readiness-xl\'s folder (an Excel-only install does not need it)'


def require_extra(module: str, th: str, en: str) -> None:
    """Refuse unless `module` (of the report extra) is installed; `th`/`en` name what needs it."""
    from importlib.util import find_spec
    if find_spec(module) is None:
        raise ReadinessError(Problem(f"{th}ต้องใช้ {module} ซึ่งยังไม่ได้ติดตั้ง / {en} needs {module}, "
                                     f"which is not installed: {INSTALL}"))


def require_charts() -> None:
    require_extra("matplotlib", "รายงาน", "the report")


def require_sobol() -> None:
    require_extra("SALib", "การวิเคราะห์ความไม่แน่นอนของอันดับ", "the robustness analysis")
