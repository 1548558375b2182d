"""The agency list checked once, wherever it is first given (an agencies CSV for
`new-template`, the Agencies sheet at `recalc`): ids that can name a sheet and a file,
no id twice, and names taken from whichever language is filled."""

from __future__ import annotations

import re

import pandas as pd

from readiness_xl.errors import Problem, ReadinessError

AGENCY_FIELDS = ("id", "name_th", "name_en", "kind", "ministry_th", "ministry_en")
SHEET_NAME_LIMIT = 31
# Sheet names become file names of questionnaires and are typed into formulas.
_BAD_ID = re.compile(r"^[=+\-@]|[\\/?*\[\]:'\x00-\x1f]")


def id_problem(ident: str, reserved: set[str]) -> str | None:
    """Why an agency id cannot name a sheet and a file (None if it can)."""
    if not ident:
        return "agency id is empty"
    if _BAD_ID.search(ident) or len(ident) > SHEET_NAME_LIMIT or ident in reserved:
        return (f"agency id {ident!r} cannot name a sheet and a file: at most {SHEET_NAME_LIMIT} "
                "characters, not starting with = + - @, none of \\ / ? * [ ] : ' and not a "
                "reserved sheet name")
    return None


def checked_agencies(table: pd.DataFrame, reserved: set[str], where) -> pd.DataFrame:
    """The agencies (a table of AGENCY_FIELDS as text) indexed by id, with a blank name or
    ministry filled from the other language; raises ReadinessError listing every bad id
    and every agency whose ministry is blank in both languages. `where(i, field)` gives
    the (sheet, cell) of row i's field for the error."""
    table = table.loc[:, list(AGENCY_FIELDS)].map(lambda v: "" if v is None else str(v).strip())
    problems, seen = [], set()
    for i, ident in enumerate(table["id"]):
        reason = id_problem(ident, reserved) or (f"duplicate agency id '{ident}'" if ident in seen else None)
        if reason:
            problems.append(Problem(reason, *where(i, "id")))
        seen.add(ident)
    for kind in ("name", "ministry"):
        th, en = table[f"{kind}_th"], table[f"{kind}_en"]
        table[f"{kind}_th"], table[f"{kind}_en"] = th.where(th != "", en), en.where(en != "", th)
    for i in (table["ministry_th"] == "").to_numpy().nonzero()[0]:
        problems.append(Problem(f"agency '{table['id'].iloc[i]}' has no ministry (group) in either "
                                "language; fill ministry_th or ministry_en", *where(i, "ministry_th")))
    if problems:
        raise ReadinessError(problems)
    return table.set_index("id")
