"""Peer: the `formulas` engine loads the workbook and computes every formula of the agency
sheets, our UDFs registered through udfs.formulas_bridge (they would be #NAME? otherwise):
imports formulas and the bridge (which imports our UDF module), nothing else.

    python bench/peer_formulas.py BOOK"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import formulas  # noqa: E402

from udfs.formulas_bridge import register  # noqa: E402

register()
formulas.ExcelModel().loads(sys.argv[1]).finish().calculate()
