"""The agency list check: every bad or repeated id is named with its cell, whether the
list is short or long (the check runs over whole columns, then explains each suspect)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from readiness_xl.core.agencies import AGENCY_FIELDS, checked_agencies, id_problem
from readiness_xl.errors import ReadinessError
from readiness_xl.workbook.layout import RESERVED_SHEETS


def one_at_a_time(ids: list[str]) -> list[tuple[int, str]]:
    """The rule stated agency by agency: the reason id_problem gives, else a repeat
    (compared without case, as Excel compares sheet names) of an id seen earlier."""
    out, seen = [], set()
    for i, ident in enumerate(i.strip() for i in ids):  # cells are read stripped
        reason = id_problem(ident, RESERVED_SHEETS) or (
            f"duplicate agency id '{ident}'" if ident.casefold() in seen else None)
        if reason:
            out.append((i, reason))
        seen.add(ident.casefold())
    return out


def table(ids: list[str]) -> pd.DataFrame:
    rows = [[ident, "n", "n", "department", "m", "m"] for ident in ids]
    return pd.DataFrame(rows, columns=list(AGENCY_FIELDS), dtype=object)


def problems_of(ids: list[str]) -> list[tuple[int, str]]:
    try:
        checked_agencies(table(ids), RESERVED_SHEETS, lambda i, field: ("Agencies", f"A{i}"))
    except ReadinessError as err:
        return [(int(p.cell[1:]), p.message) for p in err.problems]
    return []


ID_PIECES = st.sampled_from(["D01", "d01", "Summary", "SUMMARY", "history", "con", "LPT1", "=1",
                             "a/b", "x ", " y", "x.", "", "ก" * 32, "กรม", "COM3", "D-1", "-D1", "a'b"])


@settings(max_examples=200, deadline=None)
@given(st.lists(ID_PIECES, max_size=12))
def test_the_column_check_names_the_same_ids_as_the_rule_stated_one_by_one(ids):
    assert problems_of(ids) == one_at_a_time(ids)


def test_a_long_clean_list_passes_and_its_repeats_are_named_with_their_cells():
    ids = [f"D{i:05d}" for i in range(10_000)]
    assert problems_of(ids) == []
    ids[7_000] = "d00012"
    assert problems_of(ids) == [(7_000, "duplicate agency id 'd00012'")]


@pytest.mark.parametrize("ident", ["Summary", "history", "NUL", "=SUM(A1)", "a:b"])
def test_a_reserved_or_unsafe_id_is_refused(ident):
    assert [i for i, _ in problems_of(["D01", ident])] == [1]
