"""The names of the choices scoring offers, importable without numpy or pandas: the
command line builds its options from them before anything heavy has loaded."""

MISSING_POLICIES = ("zero", "exclude")
"""`zero` (default): an unanswered indicator is not met and earns nothing; the agency's
completeness shows how much was answered. `exclude`: unanswered indicators are left out
of the achievable points, so a dimension scores what was answered (NaN if nothing was)."""


def checked_missing(missing: object) -> str:
    """`missing` if it is one of MISSING_POLICIES; else an InputValueError in the words the
    Framework sheet's `missing` setting is refused with."""
    if missing not in MISSING_POLICIES:
        from readiness_xl.errors import InputValueError
        raise InputValueError(f"missing {missing!r} is not one of {', '.join(MISSING_POLICIES)}")
    return missing
