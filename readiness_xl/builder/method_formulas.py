"""The method's spreadsheet formulas, rendered by the pipeline's own steps
(`core/pipeline`: each step's `formula`), so the agency sheets compute what `score()`
computes, in any program, with or without Python. This module only composes them:

    share cell   IF(<parse: answered>, <normalise: share of <parse: value>>, 0)
    Calc cell    IF(<parse: answered>, <the value as normalise compares it>, "")
    dimension    <aggregate:indicators over the shares and points>
    parent       <aggregate:level over its children's scores and weights>
    overall      <aggregate:overall over the top-level scores and weights>
    shown        <round>

A step that cannot be a formula says why; the cell shows that text (never a wrong
number in silence)."""

from __future__ import annotations

import numpy as np

from readiness_xl.core import pipeline as P
from readiness_xl.core.pipeline.aggregate import mean_formula
from readiness_xl.core.framework import Framework
from readiness_xl.workbook.live_summary import text_literals

UNIT_RELATIVE = P.CROSS_UNIT   # learn from every unit's value: their formulas read the Calc sheet


def quoted(sheet: str) -> str:
    """A sheet name as a formula reference prefix: 'It''s'!"""
    return "'" + sheet.replace("'", "''") + "'!"


class SheetMethod:
    """The framework's steps, as the workbook's formulas, with missing answers as the
    framework's `missing` setting says (`zero` unless it says `exclude`: an unanswered
    indicator's share is blank and its dimension's mean is over the answered ones)."""

    def __init__(self, framework: Framework, missing: str | None = None):
        missing = framework.missing_rule(missing)
        self.framework = framework
        self.method = P.Method.of(framework, missing)
        steps = P.steps(self.method, framework, prepare=[])
        self.parse = next(s for s in steps if s.name == "parse")
        self.normalise = next(s for s in steps if s.name == "normalise")
        self.leaves = next(s for s in steps if isinstance(s, P.Leaves))
        self.overall_step = next(s for s in steps if isinstance(s, P.Overall))
        self.round = next(s for s in steps if isinstance(s, P.Round))
        self.rank_band = next(s for s in steps if isinstance(s, P.RankBand))
        self.parent_steps = {}
        for step in steps:
            if isinstance(step, P.Parents):
                for dim in self._parents_at(step.depth):
                    self.parent_steps[dim] = step
        self.position = {ind: j for j, ind in enumerate(framework.indicator_ids)}
        # data preparation (denominate, impute, treat) needs every unit's answers: the
        # share of an indicator it touches is no formula of one sheet (the step says why)
        spec = framework.prep_spec
        made = {s.name: s for s in P.steps(self.method, framework) if s.name in ("denominate", "impute", "treat")}
        self.prepared = {}
        for j, ind in enumerate(framework.indicator_ids):
            for name, asked in (("denominate", bool(spec.denominator) and bool(spec.denominator[j])),
                                ("impute", bool(spec.impute) and spec.impute[j] != "none"),
                                ("treat", bool(spec.treat) and spec.treat[j] != "none")):
                if asked and name in made and ind not in self.prepared:
                    self.prepared[ind] = made[name].formula(j, None)
        self.missing_rule = missing
        self.missing = '""' if missing == "exclude" else "0"
        self.unformulated = self._unformulated()

    def _unformulated(self) -> dict[str, P.NoFormula]:
        """Dimensions whose score no formula computes (a mean without one, under `exclude`,
        or a sub-dimension's such score below it) -> why: a mean over such a score would
        drop it silently, so every score above one says so too."""
        m = self.method
        ids, parents = list(m.dimension_ids), [str(p) for p in m.parent_of]
        why = {}
        for d, p in zip(ids, np.atleast_1d(m.powers)):
            rendered = mean_formula("x", "w", float(p), m.missing)
            if not P.is_formula(rendered):
                why[d] = rendered
        for d in list(why):
            up = parents[ids.index(d)]
            while up:
                why.setdefault(up, P.NoFormula(f"the score of its sub-dimension {d} has none",
                                               f"คะแนนของมิติย่อย {d} ไม่มีสูตร"))
                up = parents[ids.index(up)]
        return why

    def _parents_at(self, depth: int) -> list[str]:
        m = self.method
        has = m.children().any(axis=0) & (m.depths() == depth)
        return [d for d, h in zip(m.dimension_ids, has) if h]

    # ------------------------------------------------------------------ indicators
    def cross_unit(self, ind: str) -> bool:
        return self.normalise.methods()[self.position[ind]] in UNIT_RELATIVE

    def answered(self, ind: str, cell: str) -> str:
        return self.parse.formula((self.framework.indicators.at[ind, "type"], "answered"), cell)

    def value(self, ind: str, cell: str) -> str:
        return self.parse.formula((self.framework.indicators.at[ind, "type"], "value"), cell)

    def share(self, ind: str, answer: str, low: str, high: str, column: str = "", own: str = "") -> str:
        """The share cell's formula (with '='), or the text saying why there is none."""
        cells = P.IndicatorCells(self.value(ind, answer), low, high, column, own)
        share = self.prepared.get(ind) or self.normalise.formula(self.position[ind], cells)
        if not P.is_formula(share):
            return "=" + text_literals(str(share))
        return f"=IF({self.answered(ind, answer)},{share},{self.missing})"

    def calc_value(self, ind: str, answer: str) -> str:
        """A Calc-sheet cell: one unit's value as the cross-unit methods compare it."""
        value = self.normalise.column_formula(self.position[ind], self.value(ind, answer))
        return f'=IF({self.answered(ind, answer)},{value},"")'

    # ------------------------------------------------------------------ levels
    def dimension(self, dim: str, shares: str, points: str) -> str:
        return self._text(self.leaves.formula(dim, P.GroupCells(shares, points)))

    def parent(self, dim: str, scores: str, weights: str) -> str:
        if dim in self.unformulated:
            return self._text(self.unformulated[dim])
        return self._text(self.parent_steps[dim].formula(dim, P.GroupCells(scores, weights)))

    def overall(self, scores: str, weights: str) -> str:
        rendered = self.overall_step.formula(None, P.GroupCells(scores, weights))
        m = self.method
        blocked = [d for d, up in zip(m.dimension_ids, m.parent_of) if not up and d in self.unformulated]
        if blocked and P.is_formula(rendered):
            rendered = P.NoFormula(f"the score of dimension {blocked[0]} has none",
                                   f"คะแนนของมิติ {blocked[0]} ไม่มีสูตร")
        return self._text(rendered)

    def rounded(self, expression: str) -> str:
        """`expression` (with or without '=') rounded as the framework's `decimals` says."""
        body = expression[1:] if expression.startswith("=") else expression
        if body.startswith('"'):   # a text saying why there is no formula stays as it is
            return "=" + body
        return "=" + self.round.formula(None, body)

    def band(self, score: str, lowers: str, labels: str) -> str:
        return self.rank_band.formula("band", (score, lowers, labels))

    @staticmethod
    def _text(rendered) -> str:
        return f"={rendered}" if P.is_formula(rendered) else "=" + text_literals(str(rendered))
