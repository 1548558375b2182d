"""The agency list checked once, wherever it is first given (an agencies CSV for
`new-template`, the Agencies sheet at `recalc`): ids that can name a sheet and a file,
no id twice, and names taken from whichever language is filled."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.thai import arabic_digits, not_a_number, text_key

AGENCY_FIELDS = ("id", "name_th", "name_en", "kind", "ministry_th", "ministry_en")
RANKED_FIELD = "ranked"          # yes (default) / no: scored and shown, but takes no rank
ATTRIBUTE_EXCLUDED = (RANKED_FIELD, "_row")   # further columns are numeric unit attributes
RANKED_WORDS = {"": True, "yes": True, "y": True, "true": True, "1": True, "ใช่": True,
                "no": False, "n": False, "false": False, "0": False, "ไม่ใช่": False, "ไม่": False}
SHEET_NAME_LIMIT = 31
# An agency id names a sheet, a questionnaire file (<id>.xlsx) and is typed into formulas.
# '~$' starts the name of Excel's owner (lock) files, which collect skips: a form '~$X1.xlsx'
# would never be merged.
_BAD_ID = re.compile(r"^[=+\-@]|^~\$|[\\/?*\[\]:'\x00-\x1f\x7f]|[. ]$")
_DEVICE_NAMES = re.compile(r"^(CON|PRN|AUX|NUL|COM\d|LPT\d)$", re.I)  # Windows file names
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")       # a cell cannot hold these
ID_RULE = (f"1 to {SHEET_NAME_LIMIT} characters, not starting with = + - @ or ~$ (Excel's "
           "owner files), none of \\ / ? * [ ] : ' "
           "or control characters, not ending with a dot or space, and not a name "
           "Excel or Windows reserves (History, Summary, CON ...)")


def id_problem(ident: str, reserved: set[str]) -> str | None:
    """Why an agency id cannot name a sheet and a file (None if it can). Excel compares
    sheet names without case, so the reserved names are compared so too."""
    if not ident:
        return "agency id is empty"
    taken = {n.casefold() for n in reserved} | {"history"}
    if (len(ident) > SHEET_NAME_LIMIT or _BAD_ID.search(ident) or _DEVICE_NAMES.match(ident)
            or ident.casefold() in taken):
        return f"agency id {ident!r} cannot name a sheet and a file: {ID_RULE}"
    return None


def checked_agencies(table: pd.DataFrame, reserved: set[str], where) -> pd.DataFrame:
    """The agencies (a table of AGENCY_FIELDS as text) indexed by id, with a blank name or
    ministry filled from the other language; raises ReadinessError listing every bad id
    and every agency whose ministry is blank in both languages. `where(i, field)` gives
    the (sheet, cell) of row i's field for the error."""
    extra = [c for c in table.columns if c not in AGENCY_FIELDS and c != "_row"]
    extras, problems = unit_attributes(table, extra, where)
    table = table.loc[:, list(AGENCY_FIELDS)].map(lambda v: "" if v is None else str(v).strip())
    ids = table["id"]
    folded = ids.map(text_key).str.casefold()  # sheet names ignore case; invisible differences too
    taken = {n.casefold() for n in reserved} | {"history"}
    # Whole-column tests find the few suspect ids; id_problem says why for each of them.
    length = ids.str.len()
    suspect = ((length == 0) | (length > SHEET_NAME_LIMIT) | ids.str.contains(_BAD_ID)
               | ids.str.fullmatch(_DEVICE_NAMES.pattern, flags=re.I) | folded.isin(taken)
               | folded.duplicated())
    problems += [Problem(id_problem(ids.iat[i], reserved) or f"duplicate agency id '{ids.iat[i]}'",
                         *where(i, "id")) for i in np.flatnonzero(suspect.to_numpy(dtype=bool))]
    for field in AGENCY_FIELDS[1:]:
        if not _CONTROL.search("".join(table[field].tolist())):  # one search of the column: clean
            continue
        for i, bad in enumerate(table[field].str.extract(f"({_CONTROL.pattern})", expand=False)):
            if isinstance(bad, str):
                problems.append(Problem(f"control character U+{ord(bad):04X}; remove it",
                                        *where(i, field)))
    for kind in ("name", "ministry"):
        th, en = table[f"{kind}_th"], table[f"{kind}_en"]
        table[f"{kind}_th"], table[f"{kind}_en"] = th.where(th != "", en), en.where(en != "", th)
    # One ministry however its name was typed (a zero-width space, SARA AM in two pieces):
    # every agency of a group takes the names of the group's first agency.
    for kind in ("ministry_th", "ministry_en"):
        first = table.groupby(table[kind].map(text_key), sort=False)[kind].transform("first")
        table[kind] = first.where(table[kind] != "", "")
    for i in (table["ministry_th"] == "").to_numpy().nonzero()[0]:
        problems.append(Problem(f"agency '{table['id'].iloc[i]}' has no ministry (group) in either "
                                "language; fill ministry_th or ministry_en", *where(i, "ministry_th")))
    if problems:
        raise ReadinessError(problems)
    for name, column in extras.items():
        table[name] = column
    return table.set_index("id")


def unit_attributes(table: pd.DataFrame, fields: list[str], where) -> tuple[dict, list[Problem]]:
    """The further columns of an agency list: `ranked` as yes/no (blank = yes), any other
    as a numeric unit attribute (Thai digits and thousands separators read, blank =
    missing), each checked by whole columns; a bad cell is a Problem at `where(i, field)`.
    A column holding no number at all is text of the analyst's own (notes, codes) and is
    kept as it is; a column of numbers with some text is refused at the text."""
    out, problems = {}, []
    for field in fields:
        text = table[field].map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                                else arabic_digits(str(v)).strip())
        if field.strip().lower() == RANKED_FIELD:
            words = text.str.lower().map(RANKED_WORDS)
            for i in np.flatnonzero(words.isna().to_numpy()):
                problems.append(Problem(f"ranked {text.iat[i]!r} is not yes or no (blank = yes)",
                                        *where(i, field)))
            out[RANKED_FIELD] = words.fillna(True).astype(bool).to_numpy()
            continue
        numbers = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
        if numbers.notna().sum() == 0 and (text != "").any():
            out[field] = text.to_numpy(object)
            continue
        for i in np.flatnonzero((numbers.isna() & (text != "")).to_numpy()):
            problems.append(Problem(f"{field} {not_a_number(text.iat[i])}", *where(i, field)))
        out[field] = numbers.to_numpy(float)
    return out, problems
