"""The floor of reading: python-calamine turns every cell of every sheet into Python
values, and nothing else. No other import (not even pathlib): the process pays only
Python's start, python-calamine's import and the read itself.

    python bench/floor.py BOOK"""

import sys

from python_calamine import CalamineWorkbook

book = CalamineWorkbook.from_path(sys.argv[1])
for name in book.sheet_names:
    book.get_sheet_by_name(name).to_python()
