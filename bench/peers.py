"""The peers, each run by bench.py as its own process on the same workbook:

    python bench/peers.py formulas BOOK   the `formulas` engine loads and computes every formula
    python bench/peers.py pandas BOOK     pandas reads the answers and scores agency by agency

The pandas peer is what an analyst writes without our core: read every sheet (pandas with
the same calamine reader as ours, so the loop is what differs), then a
loop with one small DataFrame per agency. It scores the same way (shares, points per
dimension, weights), so its numbers can be checked against ours."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def formulas_peer(book: Path) -> None:
    import formulas

    from udfs.formulas_bridge import register
    register()  # our UDFs in the agency sheets compute instead of failing as #NAME?
    model = formulas.ExcelModel().loads(str(book)).finish()
    model.calculate()


def pandas_peer(book: Path) -> pd.Series:
    from readiness_xl.workbook import layout as L
    framework = pd.read_excel(book, sheet_name=L.FRAMEWORK_SHEET, header=None, engine="calamine")
    sheets = pd.read_excel(book, sheet_name=None, header=None, engine="calamine")
    dims, inds = _framework_tables(framework)
    agencies = sheets[L.AGENCIES_SHEET].iloc[1:, 0].astype(str).tolist()
    if L.RESPONSES_SHEET in sheets:
        long = sheets[L.RESPONSES_SHEET].iloc[1:, :3]
        long.columns = ["agency", "indicator", "answer"]
        answers = {a: g.set_index("indicator")["answer"] for a, g in long.groupby("agency")}
    else:
        answers = {a: sheets[a].iloc[4:, [0, 6]].set_index(0)[6] for a in agencies}
    overall = {}
    for agency in agencies:
        given = answers[agency].rename(index=str).reindex(inds.index)
        yes = given.isin(["ใช่", "มี", "yes", 1, True])
        value = pd.to_numeric(given, errors="coerce").where(inds["type"] != "yesno", yes.astype(float))
        share = (value / inds["max"]).fillna(0.0)
        earned = (share * inds["points"]).groupby(inds["dimension"]).sum()
        dimension = 100 * earned / inds["points"].groupby(inds["dimension"]).sum()
        overall[agency] = (dimension * dims["weight"]).sum() / dims["weight"].sum()
    return pd.Series(overall)


def _framework_tables(sheet: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The dimension and indicator tables found by their header words on the Framework sheet."""
    first = sheet[0].astype(str)
    dim_header = first[first.str.startswith("มิติ")].index[0]
    ind_header = first[first.str.startswith("ตัวชี้วัด")].index[0]

    def block(start: int, width: int) -> pd.DataFrame:
        body = sheet.iloc[start + 1:, :width]
        return body[body[0].notna()].iloc[:(body[0].isna().cumsum() == 0).sum()]

    dims = block(dim_header, 4).set_axis(["id", "th", "en", "weight"], axis=1)
    dims = dims[pd.to_numeric(dims["weight"], errors="coerce").notna()]
    dims = dims.assign(id=dims["id"].astype(str), weight=dims["weight"].astype(float)).set_index("id")
    inds = block(ind_header, 7).set_axis(["id", "dimension", "th", "en", "type", "max", "points"], axis=1)
    inds = inds.assign(id=inds["id"].astype(str), dimension=inds["dimension"].astype(str),
                       max=inds["max"].astype(float), points=inds["points"].astype(float))
    return dims, inds.set_index("id")


if __name__ == "__main__":
    peer, book = sys.argv[1], Path(sys.argv[2])
    if peer == "formulas":
        formulas_peer(book)
    else:
        print(pandas_peer(book).mean())
