"""The peers and the floor, each run by bench.py as its own process on the same workbook:

    python bench/peers.py floor BOOK      python-calamine reads every cell of every sheet, nothing else
    python bench/peers.py vectorised BOOK pandas as an analyst writes it: calamine engine, one
                                          pivot, one matrix product, groupby for ministries
    python bench/peers.py polars BOOK     polars read_excel (calamine engine), joins and group_by
    python bench/peers.py pandas BOOK     the old peer: pandas reads, then scores agency by agency
    python bench/peers.py formulas BOOK   the `formulas` engine loads and computes every formula

Every scoring peer scores the same way (shares, points per dimension, weights, missing
answers earn nothing) and, given a third argument, writes each agency's overall score
there as JSON, which bench.py checks against ours."""

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


YES, NO = ("ใช่", "มี", "yes", "y", "1", "true"), ("ไม่ใช่", "ไม่มี", "no", "n", "0", "false")


def floor(book: Path) -> None:
    """What reading costs at least: python-calamine turns every sheet into Python values."""
    from python_calamine import CalamineWorkbook
    wb = CalamineWorkbook.from_path(str(book))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()


def _long_answers_pandas(book: Path, agencies: list[str]) -> pd.DataFrame:
    """(agency, indicator, answer) rows: the Responses sheet, or every agency sheet's
    indicator and answer columns, all read in one call."""
    from readiness_xl.workbook import layout as L
    names = pd.read_excel(book, sheet_name=None, nrows=0, engine="calamine")
    if L.RESPONSES_SHEET in names:
        long = pd.read_excel(book, sheet_name=L.RESPONSES_SHEET, engine="calamine", usecols="A:C",
                             dtype=object)
        return long.set_axis(["agency", "indicator", "answer"], axis=1)
    sheets = pd.read_excel(book, sheet_name=agencies, header=None, skiprows=L.AGENCY_FIRST_ROW - 1,
                           usecols="A,G", engine="calamine", dtype=object)
    return pd.concat([s.set_axis(["indicator", "answer"], axis=1).assign(agency=a)
                      for a, s in sheets.items()], ignore_index=True)


def vectorised_peer(book: Path) -> pd.Series:
    """pandas without a loop per agency: one pivot to agencies x indicators, one matrix
    product for the dimensions, groupby for the ministries."""
    from readiness_xl.workbook import layout as L
    dims, inds = _framework_tables(pd.read_excel(book, sheet_name=L.FRAMEWORK_SHEET, header=None,
                                                 engine="calamine"))
    table = pd.read_excel(book, sheet_name=L.AGENCIES_SHEET, engine="calamine", dtype=object)
    agencies = table.iloc[:, 0].astype(str).tolist()
    long = _long_answers_pandas(book, agencies).dropna(subset=["indicator"])
    text = long["answer"].astype(str).str.strip().str.lower()
    value = pd.to_numeric(long["answer"], errors="coerce")
    value = value.mask(text.isin(YES), 1.0).mask(text.isin(NO), 0.0)
    wide = (long.assign(indicator=long["indicator"].astype(str), value=value)
            .pivot(index="agency", columns="indicator", values="value")
            .reindex(index=agencies, columns=inds.index))
    shares = (wide / inds["max"]).fillna(0.0).to_numpy(float)
    points = pd.crosstab(inds.index, inds["dimension"], values=inds["points"], aggfunc="sum")
    points = points.reindex(index=inds.index, columns=dims.index).fillna(0.0).to_numpy(float)
    dimension = 100 * shares @ points / points.sum(axis=0)
    overall = pd.Series(dimension @ dims["weight"].to_numpy() / dims["weight"].sum(), index=agencies)
    overall.groupby(table.iloc[:, 4].to_numpy()).mean()       # the ministries, as ours
    return overall


def polars_peer(book: Path) -> pd.Series:
    """polars: read_excel with its calamine engine, answers joined to the framework,
    group_by for dimensions, the overall and the ministries."""
    import polars as pl

    from readiness_xl.workbook import layout as L
    dims, inds = _framework_tables(pd.read_excel(book, sheet_name=L.FRAMEWORK_SHEET, header=None,
                                                 engine="calamine"))
    agencies = pl.read_excel(book, sheet_name=L.AGENCIES_SHEET, engine="calamine",
                             infer_schema_length=0)
    ids = agencies.to_series(0).to_list()
    sheets = pl.read_excel(book, sheet_id=0, engine="calamine", infer_schema_length=0,
                           has_header=False)
    def columns(frame, first_row: int, **wanted: int):
        return frame.slice(first_row - 1).select(pl.col(frame.columns[i]).alias(name)
                                                 for name, i in wanted.items())

    if L.RESPONSES_SHEET in sheets:
        long = columns(sheets[L.RESPONSES_SHEET], 2, agency=0, indicator=1, answer=2)
    else:
        long = pl.concat([columns(sheets[a], L.AGENCY_FIRST_ROW, indicator=0, answer=6)
                          .with_columns(agency=pl.lit(a)).select("agency", "indicator", "answer")
                          for a in ids])
    framework = pl.DataFrame({"id": inds.index.tolist(), "dimension": inds["dimension"].tolist(),
                              "max": inds["max"].tolist(), "points": inds["points"].tolist()})
    word = pl.col("answer").str.strip_chars().str.to_lowercase()
    scored = (long.filter(pl.col("indicator").is_not_null())
              .with_columns(value=pl.when(word.is_in(YES)).then(1.0).when(word.is_in(NO)).then(0.0)
                            .otherwise(pl.col("answer").cast(pl.Float64, strict=False)))
              .join(framework, left_on="indicator", right_on="id")
              .with_columns(earned=(pl.col("value") / pl.col("max")).fill_null(0.0) * pl.col("points")))
    totals = framework.group_by("dimension").agg(pl.col("points").sum().alias("achievable"))
    weights = pl.DataFrame({"dimension": dims.index.tolist(), "weight": dims["weight"].tolist()})
    overall = (scored.group_by("agency", "dimension").agg(pl.col("earned").sum())
               .join(totals, on="dimension").join(weights, on="dimension")
               .group_by("agency").agg(overall=(100 * pl.col("earned") / pl.col("achievable")
                                                * pl.col("weight")).sum() / pl.col("weight").sum()))
    ministries = agencies.select(pl.col(agencies.columns[0]).alias("agency"),
                                 pl.col(agencies.columns[4]).alias("ministry"))
    overall.join(ministries, on="agency").group_by("ministry").agg(pl.col("overall").mean())
    result = dict(zip(*overall.select("agency", "overall").to_dict(as_series=False).values()))
    return pd.Series(result).reindex(ids)


if __name__ == "__main__":
    peer, book = sys.argv[1], Path(sys.argv[2])
    if peer == "formulas":
        formulas_peer(book)
    elif peer == "floor":
        floor(book)
    else:
        overall = {"pandas": pandas_peer, "vectorised": vectorised_peer, "polars": polars_peer}[peer](book)
        if len(sys.argv) > 3:
            Path(sys.argv[3]).write_text(overall.to_json())
        print(overall.mean())
