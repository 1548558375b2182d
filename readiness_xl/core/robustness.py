"""How firm is a rank? Uncertainty and sensitivity analysis of the scores, as COINr's
`get_sensitivity` and the JRC/OECD Handbook do it, in SALib's three steps:

1. **The problem is data.** Each uncertain input (weights at each level perturbed by
   ±x%, the missing-answer policy, alternative aggregations and normalisations, the
   level-band cut-offs) is an `UncertainInput`: a name and a list of alternatives, the
   nominal choice kept apart. Continuous noise is pre-drawn as many alternative sets
   (COINr's `get_noisy_weights`), so every input is a discrete choice.
2. **Sample**: draws on the unit cube, plain Monte Carlo for the uncertainty analysis
   and Saltelli's design (`SALib.sample.sobol`) for the sensitivity analysis, both with
   an explicit seed. A coordinate u in [0, 1] picks alternative floor(u * n) (COINr's
   `sample_2_para`).
3. **Run** every draw through the pipeline's own steps (`core/pipeline`: normalise once
   per alternative, then aggregate level by level and round), all draws of a chunk at
   once: the points of G draws side by side make one indicators x (G * dims) matrix, so
   a chunk of replications is one matrix product over all units. Draws that share their
   discrete choices are evaluated together; no Python loop runs per unit.
   A draw that cannot be scored (a unit scored nominally but not in the draw) is
   *failed*: NaN throughout, counted, and left out of the statistics.
4. **Analyse**: per unit the median and 5-95% rank interval, score interval and the share
   of draws keeping the nominal band; Sobol first-order and total indices of every input
   on each unit's rank (SALib's own estimators, applied to all units at once) and on the
   mean absolute rank shift (`SALib.analyze.sobol`), with bootstrap intervals.

Ranks are Excel's RANK.EQ (highest first, ties share the best rank) of the scores
rounded to RANK_DECIMALS: the batched product sums in another order than the nominal
path, and a tie must not split on the last bit."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from readiness_xl.core import pipeline as P
from readiness_xl.core.framework import Framework
from readiness_xl.core.pipeline import NOMINAL, Method, band_index, rank_rows
from readiness_xl.core.policies import MISSING_POLICIES
from readiness_xl.core.results import number_or_none
from readiness_xl.errors import InputValueError, ReadinessError

RUNS = 1_000                 # Monte Carlo replications of the uncertainty analysis
SOBOL_N = 1_024              # Saltelli base sample: N * (inputs + 2) runs; a power of 2
SEED = 2560
WEIGHTS_NOISE = 0.25         # ±25% on every weight, at each level (COINr's default noise)
NOISE_SETS = 1_000           # pre-drawn noisy sets per input (COINr's NrepWeights)
RESAMPLES = 100              # bootstrap resamples of the Sobol indices (SALib's default)
CONF_LEVEL = 0.95
UNIT_BOOTSTRAP_CELLS = 20_000_000  # base runs x units x resamples above this: per-unit indices
                                   # come without intervals (the bootstrap would dominate the run)
RANK_DECIMALS = 9            # = benchmarks.NOISE_DECIMALS, what the pipeline's rank compares
CHUNK_BYTES = 128 * 1024 ** 2  # working memory of one chunk of draws
BLOCK_BYTES = 1024 ** 2      # one draw block's scores while ranked and banded: in the core's cache
THREADS = 2                  # blocks of draws ranked and banded at once (see run)


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain choice: which `Method` field it replaces, by what alternatives
    (a draw picks one), and how it reads in the narrative."""

    name: str
    field: str
    alternatives: tuple
    label_th: str
    label_en: str


@dataclass(frozen=True)
class Data:
    """What every draw scores: units x indicators shares (NaN = unanswered) under the
    framework's normalisation and each alternative (by name), and which indicator
    belongs to which dimension."""

    units: pd.Index
    shares: dict[str, np.ndarray]
    member: np.ndarray           # indicators x dimensions, 0/1
    names: tuple[str, ...] = ()  # "indicator <id>", for errors
    dimensions: pd.Index = field(default_factory=lambda: pd.Index([]))
    framework: object = None     # for data-preparation alternatives, scored on demand
    start: object = None         # the pipeline's first State (values, unit table)
    active: np.ndarray | None = None   # units not screened out (None = all): the others get no score
    ranked: np.ndarray | None = None   # units that take a rank (None = all; `ranked` no)

    def rankable(self, scores: np.ndarray) -> np.ndarray:
        """Scores with the units that take no rank blanked, for ranking."""
        return scores if self.ranked is None else np.where(self.ranked, scores, np.nan)

    def shares_for(self, method: Method, normalisation: str, preparation: tuple = ()) -> np.ndarray:
        """Shares under a normalisation and a choice of data-preparation alternatives
        (((kind, indicator, word), ...): impute or treat of one indicator replaced),
        through the pipeline's own steps up to normalise; computed once, then kept."""
        if not preparation:
            return self.shares[normalisation]
        key = (normalisation, preparation)
        if key not in self.shares:
            spec = method.prep if method.prep is not None else self.framework.prep_spec
            spec = prepared_spec(spec, preparation)
            drawn = method.but(normalisation=normalisation, prep=spec)
            steps = P.named(P.steps(drawn, self.framework), last="normalise")
            self.shares[key] = P.run(steps, self.start, keep_log=False).shares
        return self.shares[key]


PREPARATION_KINDS = ("impute", "treat")


def prepared_spec(spec, choices: tuple):
    """The preparation spec with each (kind, indicator, word) choice put in: one
    indicator's imputation method or treatment replaced ("all" = every indicator)."""
    columns = {"impute": list(spec.impute), "treat": list(spec.treat)}
    for kind, indicator, word in choices:
        for j, name in enumerate(spec.names):
            if indicator in ("all", name):
                columns[kind][j] = word
    return spec.replace(impute=tuple(columns["impute"]), treat=tuple(columns["treat"]))


@dataclass
class Runs:
    """Outcome of many draws: scores and ranks (draws x units, NaN in failed draws),
    band index (-1 = none) and which draws failed."""

    scores: np.ndarray | None
    ranks: np.ndarray
    bands: np.ndarray | None
    failed: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))


# ----------------------------------------------------------------------------- the problem

def method_of(framework: Framework, missing: str | None = None) -> Method:
    """The framework's own method (the pipeline's `Method`): every draw starts from it;
    `missing` None is the framework's own rule."""
    return Method.of(framework, framework.missing_rule(missing))


def data_of(framework: Framework, answers: pd.DataFrame, normalisations: tuple[str, ...] = (),
            agencies: pd.DataFrame | None = None) -> Data:
    """Parsed answers (units x indicator ids, in their own units) as the draws see them:
    the pipeline's steps up to normalise (data preparation included, reading the unit
    attributes and groups of `agencies`), under the framework's normalisation and under
    each alternative (applied to every indicator, with its goalposts)."""
    from readiness_xl.core.normalisation import check_normalisers
    from readiness_xl.core.pipeline.prepare import units_of

    values = answers.reindex(columns=framework.indicator_ids).to_numpy(float)
    method = Method.of(framework)
    table = None if agencies is None else agencies.reindex(answers.index)
    from readiness_xl.core.agencies import RANKED_FIELD
    ranked = table[RANKED_FIELD].to_numpy(bool) if table is not None and RANKED_FIELD in table else None
    start = P.start(method, values, units=units_of(table))
    active = None
    shares = {}
    check_normalisers([n for n in normalisations if n != NOMINAL])
    for name in (NOMINAL, *normalisations):
        prepared = P.named(P.steps(method.but(normalisation=name), framework), last="normalise")
        done = P.run(prepared, start, keep_log=False)
        shares[name], active = done.shares, done.active
    return Data(answers.index, shares, method.membership,
                tuple(f"indicator {i}" for i in framework.indicator_ids),
                pd.Index(framework.dimension_ids), framework, start, active, ranked)


def noisy_sets(nominal: np.ndarray, noise: float, sets: int, rng: np.random.Generator) -> np.ndarray:
    """`sets` copies of `nominal`, each value times a uniform factor in [1 - noise, 1 + noise]
    drawn on its own (COINr's get_noisy_weights)."""
    return nominal[None, :] * (1.0 + noise * rng.uniform(-1.0, 1.0, (sets, len(nominal))))


def shifted_bands(lowers: np.ndarray, shift: float, sets: int, rng: np.random.Generator) -> np.ndarray:
    """Band cut-offs each moved by a uniform amount in [-shift, +shift] points; the
    lowest band keeps its bound (every score stays in some band)."""
    moved = lowers[None, :] + rng.uniform(-shift, shift, (sets, len(lowers)))
    moved[:, 0] = lowers[0]
    return np.sort(moved, axis=1)


def uncertain_inputs(method: Method, weights_noise: float = WEIGHTS_NOISE, *,
                     vary_missing: bool = False, aggregations: tuple[float, ...] = (),
                     normalisations: tuple[str, ...] = (), band_shift: float = 0.0,
                     sets: int = NOISE_SETS, preparation: tuple[tuple[str, str, str], ...] = (),
                     seed: int = SEED) -> tuple[UncertainInput, ...]:
    """The uncertain inputs of a run, as data. An input with nothing to vary is left out
    (weights_noise 0, band_shift 0, no alternatives), so with nothing uncertain every
    interval is the nominal rank."""
    rng = np.random.default_rng(seed)
    pct = f"±{weights_noise * 100:g}%"
    inputs = []
    if weights_noise > 0:
        inputs.append(UncertainInput("dimension weights", "weights",
                                     tuple(noisy_sets(method.weights, weights_noise, sets, rng)),
                                     f"น้ำหนักมิติ {pct}", f"dimension weights {pct}"))
        inputs.append(UncertainInput("indicator weights", "points",
                                     tuple(noisy_sets(method.points, weights_noise, sets, rng)),
                                     f"น้ำหนักตัวชี้วัด {pct}", f"indicator weights {pct}"))
    if vary_missing:
        inputs.append(UncertainInput("missing answers", "missing", MISSING_POLICIES,
                                     "วิธีนับคำตอบที่ขาด", "the other missing-answer policy"))
    if aggregations:
        inputs.append(UncertainInput("aggregation", "aggregation",
                                     tuple(dict.fromkeys((method.aggregation, *aggregations))),
                                     "วิธีรวมคะแนนมิติ", "other aggregations of the dimensions"))
    if normalisations:
        inputs.append(UncertainInput("normalisation", "normalisation",
                                     tuple(dict.fromkeys((method.normalisation, *normalisations))),
                                     "วิธีปรับค่าตัวชี้วัด", "other normalisations"))
    for (kind, indicator), words in _grouped(preparation).items():
        nominal = _nominal_word(method, kind, indicator)
        th = "วิธีเติมค่าที่ขาด" if kind == "impute" else "การจัดการค่าผิดปกติ"
        inputs.append(UncertainInput(f"{kind} {indicator}", f"prep:{kind}:{indicator}",
                                     tuple(dict.fromkeys((nominal, *words))), f"{th} {indicator}",
                                     f"{'imputation' if kind == 'impute' else 'treatment'} of {indicator}"))
    if band_shift > 0 and len(method.lowers) > 1:
        inputs.append(UncertainInput("band cut-offs", "lowers",
                                     tuple(shifted_bands(method.lowers, band_shift, sets, rng)),
                                     f"เกณฑ์ระดับ ±{band_shift:g} คะแนน",
                                     f"level cut-offs ±{band_shift:g} points"))
    return tuple(inputs)


def _grouped(preparation) -> dict:
    out: dict = {}
    for kind, indicator, word in preparation:
        out.setdefault((kind, indicator), []).append(word)
    return out


def _nominal_word(method: Method, kind: str, indicator: str) -> str:
    """The framework's own choice for one indicator ("all": its choice if every indicator
    shares it, else "framework")."""
    spec = method.prep
    words = list(getattr(spec, kind)) if spec is not None and len(getattr(spec, kind)) else ["none"]
    if indicator == "all":
        return words[0] if len(set(words)) == 1 else NOMINAL
    names = list(spec.names) if spec is not None else []
    if indicator not in names:
        from readiness_xl.errors import unknown_choice
        raise ReadinessError(unknown_choice("indicator", indicator, names))
    return words[names.index(indicator)]


def salib_problem(inputs: tuple[UncertainInput, ...]) -> dict:
    """SALib's problem dict: every input sampled on [0, 1], mapped by `choices`."""
    return {"num_vars": len(inputs), "names": [i.name for i in inputs],
            "bounds": [[0.0, 1.0]] * len(inputs)}


# ----------------------------------------------------------------------------- sampling

def sample_uniform(inputs: tuple[UncertainInput, ...], runs: int, seed: int = SEED) -> np.ndarray:
    """Plain Monte Carlo draws on the unit cube (runs x inputs)."""
    return np.random.default_rng(seed).uniform(size=(runs, len(inputs)))


def sample_saltelli(inputs: tuple[UncertainInput, ...], n: int, seed: int = SEED) -> np.ndarray:
    """Saltelli's design for first-order and total indices: n * (inputs + 2) draws."""
    from SALib.sample import sobol
    return sobol.sample(salib_problem(inputs), n, calc_second_order=False, seed=seed)


def choices(inputs: tuple[UncertainInput, ...], draws: np.ndarray) -> np.ndarray:
    """Which alternative of each input every draw takes: [0, 1] cut into as many equal
    intervals as there are alternatives (COINr's sample_2_para)."""
    counts = np.array([len(i.alternatives) for i in inputs], int)
    if draws.ndim != 2 or draws.shape[1] != len(inputs):
        raise InputValueError(f"draws have shape {draws.shape}; expected (n, {len(inputs)}): "
                              "one column per uncertain input")
    return np.minimum((draws * counts).astype(int), counts - 1)


# ----------------------------------------------------------------------------- running

def _stack(method: Method, inputs, picks: np.ndarray, name: str) -> np.ndarray:
    """The value of an array field for every draw of `picks` (draws x values)."""
    nominal = getattr(method, name)
    for k, item in enumerate(inputs):
        if item.field == name:
            return np.asarray(item.alternatives, float)[picks[:, k]]
    return np.broadcast_to(nominal, (len(picks), len(nominal)))


def _discrete(method: Method, inputs, picks: np.ndarray, name: str) -> list:
    """The value of a discrete field for every draw."""
    for k, item in enumerate(inputs):
        if item.field == name:
            return [item.alternatives[j] for j in picks[:, k]]
    return [getattr(method, name)] * len(picks)


def _preparation(inputs, picks: np.ndarray) -> list[tuple]:
    """Per draw, the data-preparation alternatives it picks other than the nominal:
    ((kind, indicator, word), ...)."""
    chosen = [[] for _ in range(len(picks))]
    for k, item in enumerate(inputs):
        if not item.field.startswith("prep:"):
            continue
        _, kind, indicator = item.field.split(":", 2)
        for i, j in enumerate(picks[:, k]):
            if j:   # alternative 0 is the framework's own choice
                chosen[i].append((kind, indicator, item.alternatives[j]))
    return [tuple(c) for c in chosen]


def score_draws(data: Data, method: Method, inputs, picks: np.ndarray) -> np.ndarray:
    """Overall scores of the units under each draw (draws x units), through the
    pipeline's own steps from aggregation to rounding, in batch: draws sharing their
    discrete choices are one run, with each draw's weights and points along a draws axis
    (the aggregation step puts the distinct points sets side by side, one matrix product).
    Draws the core refuses (e.g. negative shares under a geometric mean) come back NaN."""
    n, units = len(picks), data.shares[NOMINAL].shape[0]
    points = _stack(method, inputs, picks, "points")
    weights = _stack(method, inputs, picks, "weights")
    keys = list(zip(*(_discrete(method, inputs, picks, f)
                      for f in ("missing", "aggregation", "normalisation")), _preparation(inputs, picks)))
    base = P.start(method)
    groups = dict.fromkeys(keys)
    out = None
    for key in groups:
        rows = np.array([i for i, k in enumerate(keys) if k == key])
        missing, p, normalisation, preparation = key
        drawn = method.but(missing=missing, aggregation=p, normalisation=normalisation,
                           points=points[rows], weights=weights[rows])
        scoring = P.named(P.steps(drawn), "aggregate", "round")
        try:
            shares = data.shares_for(method, normalisation, preparation)
            overall = P.run(scoring, base.but(shares=shares), keep_log=False).overall
        except ReadinessError:
            overall = None                  # failed draws: left NaN
        if len(groups) == 1 and _fresh(overall, (n, units)):
            out = overall                   # every draw in one run: its array, no copy
        else:
            out = np.full((n, units), np.nan) if out is None else out
            if overall is not None:
                out[rows] = overall
    if data.active is not None:             # screened out by data preparation: no score
        out[:, ~data.active] = np.nan
    return out


def _fresh(array, shape: tuple) -> bool:
    """A writable float array of this shape, all its own (the steps' output, not a view)."""
    return (isinstance(array, np.ndarray) and array.shape == shape and array.dtype == np.float64
            and array.flags.writeable and array.flags.c_contiguous and array.base is None)


def linear(method: Method, inputs) -> bool:
    """Whether every draw is scored by the pipeline's linear fast path (`LinearDraws`):
    only weights, points or band cut-offs vary, over a tree the fast path takes."""
    from readiness_xl.core.pipeline.aggregate import LinearDraws
    if any(i.field not in ("weights", "points", "lowers") for i in inputs):
        return False
    drawn = {f: np.atleast_2d(np.asarray(getattr(method, f), float)) for f in ("weights", "points")}
    drawn |= {i.field: np.asarray(i.alternatives, float) for i in inputs if i.field in drawn}
    return LinearDraws.applies(method.but(**drawn))


def chunk_size(data: Data, lowers: int, linear: bool = False) -> int:
    """Draws per chunk so that one chunk's working arrays stay within CHUNK_BYTES. The
    linear fast path holds only each draw's scores (ranks and bands are worked out in
    blocks of BLOCK_BYTES); the other paths every level's scores too."""
    units, indicators = data.shares[NOMINAL].shape
    if linear:
        per_draw = 8 * units + 8 * indicators
    else:
        per_draw = 8 * units * (4 * data.member.shape[1] + lowers + 4) + 8 * indicators * data.member.shape[1]
    return max(1, CHUNK_BYTES // per_draw)


def run(data: Data, method: Method, inputs, draws: np.ndarray, progress=None,
        ranks_only: bool = False) -> Runs:
    """Score, rank and band every draw (`progress(k)` after k draws, in order).
    `ranks_only` (what the Sobol analysis needs) keeps neither scores nor bands.
    Draws are scored a chunk at a time (on the linear path one matrix product, with
    numpy's own threads), then ranked and banded in blocks of rows small enough to stay
    in the processor's cache. THREADS at once: the blocks of a run that is one chunk,
    or else whole chunks (scoring and all). numpy lets go of the GIL in its products,
    sorts and arithmetic, and each block writes its own rows, computed exactly as one
    after another would be."""
    from concurrent.futures import ThreadPoolExecutor
    picks = choices(inputs, draws) if inputs else np.zeros((len(draws), 0), int)
    scored = ~np.isnan(nominal_scores(data, method)[0])
    every = bool(scored.all())
    n, units = len(picks), len(data.units)
    step = chunk_size(data, len(method.lowers), linear(method, inputs))
    scores = None if ranks_only or n <= step else np.empty((n, units))
    bands = None if ranks_only else np.empty((n, units), np.int8)
    ranks = np.empty((n, units), np.float32)
    failed = np.zeros(n, bool)
    block = max(1, BLOCK_BYTES // (8 * max(units, 1)))

    def score(rows: slice) -> tuple:
        chunk = score_draws(data, method, inputs, picks[rows])
        lowers = None if ranks_only else _stack(method, inputs, picks[rows], "lowers")
        parts = [slice(k, min(k + block, len(chunk))) for k in range(0, len(chunk), block)]
        return chunk, lowers, parts

    def block_of(chunk: np.ndarray, first: int, lowers: np.ndarray | None, part: slice) -> int:
        rows = slice(first + part.start, first + part.stop)
        sub = chunk[part]
        bad = np.isnan(sub if every else sub[:, scored]).any(axis=1)
        if bad.any():
            sub[bad] = np.nan
        failed[rows] = bad
        ranks[rows] = rank_rows(data.rankable(sub))
        if lowers is not None:
            bands[rows] = band_index(sub, lowers[part])
        return rows.stop

    def keep(chunk: np.ndarray, rows: slice) -> None:
        if scores is not None:
            scores[rows] = chunk

    def chunk_of(rows: slice) -> int:
        chunk, lowers, parts = score(rows)
        for part in parts:
            block_of(chunk, rows.start, lowers, part)
        keep(chunk, rows)
        return rows.stop

    chunks = [slice(first, min(first + step, n)) for first in range(0, n, step)]
    with ThreadPoolExecutor(THREADS, thread_name_prefix="robustness") as pool:
        if len(chunks) == 1:
            rows = chunks[0]
            chunk, lowers, parts = score(rows)
            done = pool.map(lambda part: block_of(chunk, rows.start, lowers, part), parts)
            if not ranks_only and scores is None:
                scores = chunk                  # the one chunk is the draws' scores: no copy
        else:
            done = pool.map(chunk_of, chunks)
        for stop in done:
            if progress:
                progress(stop)
    if not ranks_only and scores is None:
        scores = np.empty((n, units))
    return Runs(scores, ranks, bands, failed)


def nominal_scores(data: Data, method: Method) -> np.ndarray:
    """The units' scores under the nominal method (1 x units), through the same path."""
    return score_draws(data, method, (), np.zeros((1, 0), int))


# ----------------------------------------------------------------------------- analysis

@dataclass(frozen=True)
class Uncertainty:
    """Per unit (index): nominal score and rank, median and 5th/95th percentile rank,
    best and worst rank, 5th/95th percentile score, share of draws keeping the nominal
    band; `band_shares` the share of draws in each band (units x band index)."""

    table: pd.DataFrame
    band_shares: pd.DataFrame
    runs: int
    failed: int
    seed: int
    inputs: tuple[UncertainInput, ...]


def rank_percentiles(ranks: np.ndarray, q) -> np.ndarray:
    """np.percentile(ranks, q, axis=0, method="inverted_cdf") of draws x units ranks
    (whole numbers, NaN = unranked), the same elements: each unit's ranks as small
    integers in a row of their own, sorted (numpy sorts 16-bit integers by radix), then
    picked where that method picks from n sorted values. A unit with a NaN rank in any
    draw gets NaN, as percentile gives."""
    n, units = ranks.shape
    picks = np.percentile(np.arange(n), q, method="inverted_cdf").astype(int)
    small = np.int16 if units < np.iinfo(np.int16).max else np.int32
    missing = np.isnan(ranks)
    blank = missing.any(axis=0)
    rows = (np.where(missing, 0, ranks) if blank.any() else ranks).T.astype(small)   # units x draws
    rows.sort(axis=1, kind="stable" if small is np.int16 else "quicksort")   # radix for 16 bits
    out = rows[:, picks].T.astype(ranks.dtype)
    out[:, blank] = np.nan
    return out


def summarise(data: Data, method: Method, inputs, result: Runs, seed: int) -> Uncertainty:
    """The uncertainty analysis of `run`'s outcome (failed draws left out)."""
    nominal = nominal_scores(data, method)
    nominal_rank = rank_rows(data.rankable(nominal))[0]
    nominal_band = band_index(nominal, method.lowers[None, :])[0]
    ok = ~result.failed
    if ok.all():   # no copies of the draws (hundreds of megabytes at 10,000 units)
        ranks, scores, bands = result.ranks, result.scores, result.bands
    else:
        ranks, scores, bands = result.ranks[ok], result.scores[ok], result.bands[ok]
    if len(ranks):
        # the scores' percentiles in THREADS slices of units (numpy partitions without the
        # GIL), the ranks' meanwhile
        from concurrent.futures import ThreadPoolExecutor
        units = len(data.units)
        cut = [slice(k * units // THREADS, (k + 1) * units // THREADS) for k in range(THREADS)]
        with ThreadPoolExecutor(THREADS) as pool:
            parts = [pool.submit(np.percentile, scores[:, c], [5, 95], axis=0) for c in cut]
            rank_q = rank_percentiles(ranks, [5, 50, 95])
            score_q = np.concatenate([p.result() for p in parts], axis=1)
        best, worst = ranks.min(axis=0), ranks.max(axis=0)

        def share(band) -> np.ndarray:
            """Each unit's share of draws in `band`: a count over their number (the bits
            of mean's, without its cast of every draw to float)."""
            return (bands == band).sum(axis=0, dtype=np.int32) / len(bands)

        kept = share(nominal_band[None, :])
        shares = np.stack([share(b) for b in range(len(method.lowers))]
                          or [np.zeros((0, len(data.units)))], axis=1).reshape(len(data.units), -1)
    else:
        rank_q, score_q = np.full((3, len(data.units)), np.nan), np.full((2, len(data.units)), np.nan)
        best = worst = kept = np.full(len(data.units), np.nan)
        shares = np.full((len(data.units), len(method.lowers)), np.nan)
    unscored = np.isnan(nominal[0])
    table = pd.DataFrame({
        "score": nominal[0], "rank": nominal_rank,
        "rank_median": rank_q[1], "rank_p5": rank_q[0], "rank_p95": rank_q[2],
        "rank_best": best, "rank_worst": worst,
        "score_p5": score_q[0], "score_p95": score_q[1],
        "band": np.where(unscored, -1, nominal_band), "band_share": np.where(unscored, np.nan, kept),
    }, index=data.units)
    table["rank_width"] = table["rank_p95"] - table["rank_p5"]
    return Uncertainty(table, pd.DataFrame(shares, index=data.units), int(ok.sum()),
                       int(result.failed.sum()), seed, tuple(inputs))


def sobol_indices(outputs: np.ndarray, n_inputs: int, seed: int = SEED,
                  resamples: int = RESAMPLES, conf_level: float = CONF_LEVEL) -> dict[str, np.ndarray]:
    """First-order and total Sobol indices (inputs x outputs) of every column of
    `outputs` (Saltelli runs x outputs), with bootstrap half-widths at `conf_level`:
    SALib's own estimators (`SALib.analyze.sobol.first_order` / `total_order`) applied to
    all columns at once, each column centred and scaled as SALib's `analyze` does, and
    the same resample indices as `analyze` draws from the same seed. `resamples=0`
    gives no intervals (NaN)."""
    import warnings

    from SALib.analyze.sobol import first_order, total_order
    from scipy.stats import norm

    outputs = np.asarray(outputs, float)
    step = n_inputs + 2
    if outputs.shape[0] % step:
        raise InputValueError(f"{outputs.shape[0]} runs is not a multiple of inputs + 2 = {step}, "
                              "the size of one Saltelli sample")
    sd = outputs.std(axis=0)
    y = np.where(sd > 0, (outputs - outputs.mean(axis=0)) / np.where(sd > 0, sd, 1.0), 0.0)
    a, b = y[0::step], y[step - 1::step]
    n, cols = a.shape
    result = {k: np.full((n_inputs, cols), np.nan) for k in ("S1", "ST", "S1_conf", "ST_conf")}
    r = np.random.default_rng(seed).integers(n, size=(n, resamples)) if resamples else None
    z = norm.ppf(0.5 + conf_level / 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # SALib warns on a constant output: it is 0 here
        for j in range(n_inputs):
            ab = y[j + 1::step]
            result["S1"][j] = first_order(a, ab, b)
            result["ST"][j] = total_order(a, ab, b)
            if r is None:
                continue
            block = max(1, CHUNK_BYTES // (8 * 6 * n * resamples))
            for start in range(0, cols, block):
                c = slice(start, start + block)
                ar, abr, br = a[:, c][r], ab[:, c][r], b[:, c][r]
                result["S1_conf"][j, c] = z * first_order(ar, abr, br).std(axis=0, ddof=1)
                result["ST_conf"][j, c] = z * total_order(ar, abr, br).std(axis=0, ddof=1)
    return result


@dataclass(frozen=True)
class Sensitivity:
    """Sobol indices of every input: `overall` on the mean absolute rank shift (index
    input: first_order, first_order_conf, total, total_conf, from SALib.analyze.sobol),
    `first_order`/`total` on each unit's rank (units x inputs), with their intervals."""

    overall: pd.DataFrame
    first_order: pd.DataFrame
    total: pd.DataFrame
    first_order_conf: pd.DataFrame
    total_conf: pd.DataFrame
    n: int
    failed: int
    seed: int


def analyse(data: Data, method: Method, inputs, result: Runs, seed: int = SEED,
            resamples: int = RESAMPLES) -> Sensitivity:
    """Sobol indices from a run over `sample_saltelli`'s draws. A base sample any of
    whose runs failed is left out whole, so A, B and AB stay aligned."""
    from SALib.analyze import sobol

    step, units = len(inputs) + 2, len(data.units)
    nominal_rank = rank_rows(data.rankable(nominal_scores(data, method)))[0]
    keep = ~result.failed.reshape(-1, step).any(axis=1)
    runs = int(keep.sum()) * step
    names = [i.name for i in inputs]
    unit_resamples = resamples if runs // step * units * resamples <= UNIT_BOOTSTRAP_CELLS else 0
    per_unit = {k: np.full((len(inputs), units), np.nan) for k in ("S1", "ST", "S1_conf", "ST_conf")}
    shift = np.zeros(runs)
    ranked = ~np.isnan(nominal_rank)
    width = max(1, CHUNK_BYTES // (8 * 4 * max(runs, 1)))
    for first in range(0, units, width):   # a block of units at a time bounds the memory
        cols = slice(first, min(first + width, units))
        block = result.ranks[:, cols].reshape(-1, step, cols.stop - first)[keep]
        block = block.reshape(runs, -1).astype(float)
        found = sobol_indices(block, len(inputs), seed, unit_resamples)
        for key, values in found.items():
            per_unit[key][:, cols] = values
        shift += np.abs(block - nominal_rank[cols])[:, ranked[cols]].sum(axis=1)
    shift /= max(int(ranked.sum()), 1)
    if keep.sum() >= 2 and np.ptp(shift) > 0:
        found = sobol.analyze(salib_problem(inputs), shift, calc_second_order=False,
                              num_resamples=resamples, conf_level=CONF_LEVEL,
                              seed=np.random.default_rng(seed))
        overall = pd.DataFrame({"first_order": found["S1"], "first_order_conf": found["S1_conf"],
                                "total": found["ST"], "total_conf": found["ST_conf"]}, index=names)
    else:  # no draw moved any rank: no input matters
        overall = pd.DataFrame(0.0, index=names,
                               columns=["first_order", "first_order_conf", "total", "total_conf"])

    def frame(key: str) -> pd.DataFrame:
        return pd.DataFrame(per_unit[key].T, index=data.units, columns=names)

    return Sensitivity(overall, frame("S1"), frame("ST"), frame("S1_conf"), frame("ST_conf"),
                       int(keep.sum()), int((~keep).sum()), seed)


# ----------------------------------------------------------------------------- narrative

def rank_sentences(table: pd.DataFrame, inputs, lang: str = "th") -> pd.Series:
    """One sentence per unit whose rank is not firm (its 5-95% interval is wider than a
    single rank), e.g. 'อันดับอาจอยู่ระหว่าง 18 ถึง 29 เมื่อปรับน้ำหนักมิติ ±25%'; '' when firm."""
    if lang == "th":
        when = " และ".join(i.label_th for i in inputs)
        template = "อันดับอาจอยู่ระหว่าง {lo} ถึง {hi} เมื่อปรับ{when}"
    else:
        when = " and ".join(i.label_en for i in inputs)
        template = "Its rank could lie between {lo} and {hi} with {when}."
    loose = table["rank_p95"] > table["rank_p5"]
    text = [template.format(lo=int(lo), hi=int(hi), when=when) if wide else ""
            for lo, hi, wide in zip(table["rank_p5"], table["rank_p95"], loose)]
    return pd.Series(text, index=table.index, dtype=object)


def to_json_dict(result: Uncertainty, sensitivity: Sensitivity | None) -> dict:
    """The documented `robustness --json` shape, plus best/worst rank, nominal score,
    the narrative sentences, the per-unit total indices and the intervals of the indices."""
    th, en = rank_sentences(result.table, result.inputs), rank_sentences(result.table, result.inputs, "en")
    units = []
    for ident, t in result.table.iterrows():
        unit = {"id": ident, **{k: number_or_none(t[k]) for k in (
            "score", "rank", "rank_median", "rank_p5", "rank_p95", "rank_best", "rank_worst",
            "score_p5", "score_p95", "band_share")}, "sentence_th": th[ident], "sentence_en": en[ident]}
        if sensitivity is not None:
            unit["total"] = {name: number_or_none(v) for name, v in sensitivity.total.loc[ident].items()}
        units.append(unit)
    return {
        "runs": result.runs + result.failed, "failed": result.failed, "seed": result.seed,
        "inputs": [{"input": i.name, "alternatives": len(i.alternatives), "label_th": i.label_th,
                    "label_en": i.label_en} for i in result.inputs],
        "units": units,
        "sensitivity": [] if sensitivity is None else [
            {"input": name, **{k: number_or_none(s[k]) for k in ("first_order", "first_order_conf", "total",
                                                         "total_conf")}}
            for name, s in sensitivity.overall.iterrows()],
        "sobol_n": sensitivity.n if sensitivity is not None else None,
    }
