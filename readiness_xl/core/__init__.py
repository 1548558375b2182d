"""The functional core: framework, answers, scores, benchmarks, results, narrative. Pure functions over pandas/numpy; no files, no Excel."""
