"""Peer: polars, importing polars only (read_excel's calamine engine is fastexcel, which
reads into Arrow with no Python object per cell, and checks nothing): the framework
tables found by their header words, answers joined to the framework, group_by for the
dimensions, the overall score and the ministries.

    python bench/peer_polars.py BOOK [SCORES.json]"""

import json
import sys

import polars as pl

FRAMEWORK, AGENCIES, RESPONSES = "Framework", "Agencies", "Responses"
AGENCY_FIRST_ROW = 5   # an agency sheet's first answer row (indicator in A, answer in G)
YES = ("ใช่", "มี", "yes", "y", "1", "true")
NO = ("ไม่ใช่", "ไม่มี", "no", "n", "0", "false")


def block(sheet: pl.DataFrame, header_word: str, names: list[str]) -> pl.DataFrame:
    """The table under the row whose first cell starts with `header_word`, down to the
    first blank id, its first len(names) columns renamed."""
    first = sheet.to_series(0)
    start = first.str.starts_with(header_word).arg_true()[0] + 1
    body = sheet.slice(start).select(sheet.columns[:len(names)])
    blank = body.to_series(0).is_null().arg_true()
    body = body.head(blank[0]) if len(blank) else body
    return body.rename(dict(zip(body.columns, names)))


def scores(book: str) -> dict[str, float]:
    sheets = pl.read_excel(book, sheet_id=0, engine="calamine", infer_schema_length=0, has_header=False)
    framework = sheets[FRAMEWORK]
    dims = block(framework, "มิติ", ["dimension", "th", "en", "weight"])
    dims = dims.with_columns(weight=pl.col("weight").cast(pl.Float64, strict=False)).drop_nulls("weight")
    inds = block(framework, "ตัวชี้วัด", ["id", "dimension", "th", "en", "type", "max", "points"])
    inds = inds.with_columns(pl.col("max", "points").cast(pl.Float64)).select("id", "dimension", "max", "points")
    agencies = sheets[AGENCIES].slice(1)
    ids = agencies.to_series(0).to_list()

    def columns(frame, first_row: int, **wanted: int):
        return frame.slice(first_row - 1).select(pl.col(frame.columns[i]).alias(name)
                                                 for name, i in wanted.items())

    if RESPONSES in sheets:
        long = columns(sheets[RESPONSES], 2, agency=0, indicator=1, answer=2)
    else:
        long = pl.concat([columns(sheets[a], AGENCY_FIRST_ROW, indicator=0, answer=6)
                          .with_columns(agency=pl.lit(a)).select("agency", "indicator", "answer")
                          for a in ids])
    word = pl.col("answer").str.strip_chars().str.to_lowercase()
    scored = (long.filter(pl.col("indicator").is_not_null())
              .with_columns(value=pl.when(word.is_in(YES)).then(1.0).when(word.is_in(NO)).then(0.0)
                            .otherwise(pl.col("answer").cast(pl.Float64, strict=False)))
              .join(inds, left_on="indicator", right_on="id")
              .with_columns(earned=(pl.col("value") / pl.col("max")).fill_null(0.0) * pl.col("points")))
    totals = inds.group_by("dimension").agg(pl.col("points").sum().alias("achievable"))
    overall = (scored.group_by("agency", "dimension").agg(pl.col("earned").sum())
               .join(totals, on="dimension").join(dims.select("dimension", "weight"), on="dimension")
               .group_by("agency").agg(overall=(100 * pl.col("earned") / pl.col("achievable")
                                                * pl.col("weight")).sum() / pl.col("weight").sum()))
    ministries = agencies.select(pl.col(agencies.columns[0]).alias("agency"),
                                 pl.col(agencies.columns[4]).alias("ministry"))
    overall.join(ministries, on="agency").group_by("ministry").agg(pl.col("overall").mean())
    return dict(zip(*overall.select("agency", "overall").to_dict(as_series=False).values()))


if __name__ == "__main__":
    overall = scores(sys.argv[1])
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w", encoding="utf-8") as out:
            json.dump(overall, out)
    print(sum(overall.values()) / len(overall))
