"""The agency list checked the same wherever it is given (an agencies CSV for
`new-template`, the Agencies sheet at `recalc`): ids that can name a sheet and a file,
no id twice, and names taken from whichever language is filled."""

from __future__ import annotations

import pandas as pd

from readiness_xl.errors import Problem, ReadinessError

AGENCY_FIELDS = ("id", "name_th", "name_en", "kind", "ministry_th", "ministry_en")


def checked_agencies(table: pd.DataFrame, id_problem, where) -> pd.DataFrame:
    """The agencies (a table of AGENCY_FIELDS as text) indexed by id, with a blank name or
    ministry filled from the other language; raises ReadinessError listing every bad id
    and every agency whose ministry is blank in both languages. `id_problem(id)` says why
    an id cannot name a sheet (the workbook layout's rule); ids differing only in case are
    duplicates, as Excel's sheet names are. `where(i, field)` gives (sheet, cell, file)."""
    table = table.loc[:, list(AGENCY_FIELDS)].map(lambda v: "" if v is None else str(v).strip())
    problems, seen = [], set()
    for i, ident in enumerate(table["id"]):
        reason = (f"duplicate agency id '{ident}'" if ident.casefold() in seen else None) or id_problem(ident)
        if reason:
            problems.append(Problem(reason, *where(i, "id")))
        seen.add(ident.casefold())
    for kind in ("name", "ministry"):
        th, en = table[f"{kind}_th"], table[f"{kind}_en"]
        table[f"{kind}_th"], table[f"{kind}_en"] = th.where(th != "", en), en.where(en != "", th)
    for i in (table["ministry_th"] == "").to_numpy().nonzero()[0]:
        problems.append(Problem(f"agency '{table['id'].iloc[i]}' has no ministry (group) in either "
                                "language; fill ministry_th or ministry_en", *where(i, "ministry_th")))
    if problems:
        raise ReadinessError(problems)
    return table.set_index("id")
