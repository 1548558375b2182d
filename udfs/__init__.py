"""The Excel layer: xlwings UDFs and the ribbon macro, thin adapters over readiness_xl."""
