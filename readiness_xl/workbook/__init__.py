"""Workbook I/O: the workbook contract, reading, the long Responses layout, writing only the parts we own, and recalculation."""
