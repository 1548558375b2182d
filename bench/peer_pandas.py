"""Peer: pandas as an analyst writes it, vectorised, importing pandas only (its calamine
engine reads): the framework tables found by their header words, one pivot to agencies x
indicators, one matrix product for the dimensions, groupby for the ministries.

    python bench/peer_pandas.py BOOK [SCORES.json]

Every scoring peer scores the same way (shares, points per dimension, weights, missing
answers earn nothing); given SCORES.json it writes each agency's overall score there,
which bench.py checks against ours. The workbook's layout (sheet names, the agency
sheet's first answer row) is written here as constants, as a script of the analyst's would."""

import sys

import pandas as pd

FRAMEWORK, AGENCIES, RESPONSES = "Framework", "Agencies", "Responses"
AGENCY_FIRST_ROW = 5   # an agency sheet's first answer row (indicator in A, answer in G)
YES = ("ใช่", "มี", "yes", "y", "1", "true")
NO = ("ไม่ใช่", "ไม่มี", "no", "n", "0", "false")


def framework_tables(sheet: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
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


def long_answers(book: str, agencies: list[str]) -> pd.DataFrame:
    """(agency, indicator, answer) rows: the Responses sheet, or every agency sheet's
    indicator and answer columns, all read in one call."""
    names = pd.read_excel(book, sheet_name=None, nrows=0, engine="calamine")
    if RESPONSES in names:
        long = pd.read_excel(book, sheet_name=RESPONSES, engine="calamine", usecols="A:C", dtype=object)
        return long.set_axis(["agency", "indicator", "answer"], axis=1)
    sheets = pd.read_excel(book, sheet_name=agencies, header=None, skiprows=AGENCY_FIRST_ROW - 1,
                           usecols="A,G", engine="calamine", dtype=object)
    return pd.concat([s.set_axis(["indicator", "answer"], axis=1).assign(agency=a)
                      for a, s in sheets.items()], ignore_index=True)


def scores(book: str) -> pd.Series:
    dims, inds = framework_tables(pd.read_excel(book, sheet_name=FRAMEWORK, header=None, engine="calamine"))
    table = pd.read_excel(book, sheet_name=AGENCIES, engine="calamine", dtype=object)
    agencies = table.iloc[:, 0].astype(str).tolist()
    long = long_answers(book, agencies).dropna(subset=["indicator"])
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


if __name__ == "__main__":
    overall = scores(sys.argv[1])
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w", encoding="utf-8") as out:
            out.write(overall.to_json())
    print(overall.mean())
