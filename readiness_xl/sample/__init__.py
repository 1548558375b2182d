"""The B.E. 2560 sample: CSV source data and the workbooks built from it."""
