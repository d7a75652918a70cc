# Yearbook QA — `make run` starts the app, `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

BROWSER_PACKAGES := chromium fonts-noto-cjk tesseract-ocr tesseract-ocr-chi-sim

.PHONY: run test setup browser ingest eval bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

ingest: setup
	$(BIN)/yearbook ingest

run: ingest
	$(BIN)/yearbook ui

# The page is tested in Debian's Chromium (never a browser download) with CJK fonts; Tesseract
# is the second OCR engine the formats benchmark compares. Installed when missing.
browser:
	@missing=""; for p in $(BROWSER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing for the browser and format tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

test: setup browser
	$(BIN)/python -m pytest

# The quality gate: the offline evaluation of the bundled question set, failing under the
# thresholds in evals/thresholds.toml.
eval: ingest
	$(BIN)/yearbook eval run --config hybrid --gate evals/thresholds.toml

# Ingest and query speed, memory, the naive baseline and year disambiguation at 1×/10×/50×
# (synthetic years). The first run embeds about 8,300 chunks (~25 min); reruns use the cache.
bench: setup
	$(BIN)/yearbook bench

clean:
	rm -rf .yearbook .pytest_cache
