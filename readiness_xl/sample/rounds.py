"""The illustrative B.E. 2559 round: a second survey round so that the sample shows a
trend. Its framework differs from 2560 on purpose (no dimension 6, other weights,
indicators added, dropped and changed), one agency is listed under another id (the
mapping), one is only in 2559 and one only in 2560. Every answer is invented by
scripts/make_sample_2559.py (fixed seed); nothing of it is a published figure."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
from openpyxl.packaging.custom import StringProperty

from readiness_xl.builder.template import ABOUT_TEMPLATE, StartPage, build_workbook
from readiness_xl.core.framework import Framework
from readiness_xl.core.results import Results
from readiness_xl.sample.build import save_recalculated
from readiness_xl.sample.source_data import load_agencies, load_answers, load_framework
from readiness_xl.workbook.properties import ILLUSTRATIVE_PROPERTY

BE2559 = Path(str(resources.files("readiness_xl") / "data" / "be2559"))
MAPPING_CSV = BE2559 / "mapping.csv"
NOTES_2559 = StartPage(
    "ตัวอย่างสมมุติ รอบการสำรวจ พ.ศ. 2559 / Illustrative B.E. 2559 (2016) survey round",
    notes=(
        "ทุกค่าในรอบนี้เป็นตัวอย่างสมมุติ ไม่ใช่ผลที่เผยแพร่ / Every answer and score of this round is "
        "illustrative (invented with a fixed seed), not a published figure. It exists so that the "
        "B.E. 2560 sample can show a trend: `readiness-xl trend sample_2559.xlsx sample_2560.xlsx`.",
        "กรอบปี 2559 ต่างจากปี 2560: ไม่มีมิติที่ 6 น้ำหนักต่างกัน และตัวชี้วัดบางข้อเปลี่ยน / The 2559 "
        "framework differs from 2560 on purpose: no dimension 6, other weights, indicators added, "
        "dropped and changed.",
    ),
    steps=ABOUT_TEMPLATE.steps,
)


def load_round_2559() -> tuple[Framework, pd.DataFrame, pd.DataFrame]:
    """Framework, agencies and raw answers of the illustrative B.E. 2559 round."""
    return (load_framework(BE2559), load_agencies(BE2559 / "agencies.csv"),
            load_answers(BE2559 / "answers.csv"))


def build_sample_2559(target: Path) -> Results:
    """Write the recalculated illustrative B.E. 2559 workbook to `target`, marked as
    illustrative (a custom document property) as the 2560 sample is."""
    framework, agencies, answers = load_round_2559()
    wb = build_workbook(framework, agencies, answers, about=NOTES_2559)
    wb.custom_doc_props.append(StringProperty(
        name=ILLUSTRATIVE_PROPERTY, value="B.E. 2559 sample round: every answer invented (fixed seed)"))
    return save_recalculated(wb, Path(target))
