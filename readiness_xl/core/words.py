"""Every word the framework accepts, in one table: the Framework sheet's and CSVs'
parser (`core/framework.py`), the aggregation parser (`core/aggregation.py`) and the
worksheet functions (`core/worksheet_functions.py`) all read it, so a word typed in a
sheet means the same in a UDF. Keys are matched after strip() and lower()."""

from __future__ import annotations

ANSWER_TYPES = ("yesno", "scale", "percent", "number")
DIRECTIONS = ("higher", "lower")
TRANSFORMS = ("none", "log")
NORMALISATIONS = ("goalposts", "minmax", "zscore", "rank", "target")
AGGREGATIONS = ("arithmetic", "geometric", "harmonic", "power:P")

ALIASES: dict[str, dict[str, str]] = {
    "type": {"yesno": "yesno", "yes/no": "yesno", "yn": "yesno", "ใช่/ไม่ใช่": "yesno",
             "มี/ไม่มี": "yesno", "scale": "scale", "ระดับ": "scale", "มาตรวัด": "scale",
             "percent": "percent", "percentage": "percent", "%": "percent", "ร้อยละ": "percent",
             "number": "number", "numeric": "number", "raw": "number", "ตัวเลข": "number",
             "จำนวน": "number"},
    "direction": {"": "higher", "higher": "higher", "high": "higher", "+": "higher", "1": "higher",
                  "lower": "lower", "low": "lower", "-": "lower", "-1": "lower",
                  "มาก": "higher", "น้อย": "lower"},
    "transform": {"": "none", "none": "none", "log": "log", "ln": "log"},
    "normalise": {"": "goalposts", "goalposts": "goalposts", "goalpost": "goalposts",
                  "minmax": "minmax", "min-max": "minmax", "zscore": "zscore", "z-score": "zscore",
                  "rank": "rank", "target": "target", "distance to target": "target"},
    # named means; `power:P` (any finite P) is read by aggregation.parse_aggregation
    "aggregation": {"": "arithmetic", "nan": "arithmetic", "none": "arithmetic",
                    "arithmetic": "arithmetic", "mean": "arithmetic", "amean": "arithmetic",
                    "เลขคณิต": "arithmetic", "geometric": "geometric", "gmean": "geometric",
                    "เรขาคณิต": "geometric", "harmonic": "harmonic", "hmean": "harmonic",
                    "ฮาร์มอนิก": "harmonic"},
}
CHOICES = {"type": ANSWER_TYPES, "direction": DIRECTIONS, "transform": TRANSFORMS,
           "normalise": NORMALISATIONS, "aggregation": AGGREGATIONS}


def canonical(kind: str, word: object) -> str | None:
    """The framework's own word for what was typed (None = not a word of `kind`). A
    number typed in a cell (1, -1, 1.0) reads as its text."""
    if word is None:
        text = ""
    elif isinstance(word, bool):
        text = str(word)
    elif isinstance(word, (int, float)):
        text = "nan" if word != word else f"{word:g}"
    else:
        text = str(word)
    return ALIASES[kind].get(text.strip().lower())


def refusal(kind: str, word: object) -> str:
    """What a word not in the table is told."""
    return f"{kind} {word!r} is not one of {', '.join(CHOICES[kind])}"
