"""Peer: the earlier pandas script, one small DataFrame per agency; imports pandas only.

    python bench/peer_pandas_loop.py BOOK [SCORES.json]"""

import sys

import pandas as pd

from peer_pandas import AGENCIES, FRAMEWORK, RESPONSES, framework_tables


def scores(book: str) -> pd.Series:
    framework = pd.read_excel(book, sheet_name=FRAMEWORK, header=None, engine="calamine")
    sheets = pd.read_excel(book, sheet_name=None, header=None, engine="calamine")
    dims, inds = framework_tables(framework)
    agencies = sheets[AGENCIES].iloc[1:, 0].astype(str).tolist()
    if RESPONSES in sheets:
        long = sheets[RESPONSES].iloc[1:, :3]
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


if __name__ == "__main__":
    overall = scores(sys.argv[1])
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w", encoding="utf-8") as out:
            out.write(overall.to_json())
    print(overall.mean())
