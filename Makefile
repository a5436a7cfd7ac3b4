# The book's commands. `make help` lists them.
PROFILE ?= standard
PYTHON ?= python3
BOOK := $(PYTHON) scripts/book.py
EXECUTED = _build/$(PROFILE)/book
# Kernels (papermill, nbval) import this checkout's helpers, not another clone's install.
export PYTHONPATH := $(CURDIR)$(if $(PYTHONPATH),:$(PYTHONPATH))

.PHONY: help install data execute book format lint test unit nbval html browser browser-deps standalone clean

help:
	@echo "make install               install the Python requirements and the helpers package"
	@echo "make data                  fetch and verify MNIST and Fashion-MNIST (offline-capable)"
	@echo "make book [PROFILE=...]    execute every chapter, then build the HTML into _build/html"
	@echo "                           PROFILE is smoke, standard (default) or full"
	@echo "make format                ruff-format the code and chapters to 88 columns"
	@echo "make lint                  ruff: lint and formatting check (part of make test)"
	@echo "make test                  unit tests, smoke execution, nbval, book build, HTML checks"

install:
	$(PYTHON) -m pip install -r requirements.txt
	$(PYTHON) -m pip install -e .

data:
	$(PYTHON) scripts/provision.py

execute: data
	$(BOOK) execute --profile $(PROFILE)

book: execute
	$(BOOK) build --profile $(PROFILE)

# ruff's settings (88 columns, the rules) are in pyproject.toml
LINTED := helpers scripts benchmarks tests book
format:
	$(PYTHON) -m ruff format $(LINTED)
	$(PYTHON) -m ruff check --fix $(LINTED)

lint:
	$(PYTHON) -m ruff check $(LINTED)
	$(PYTHON) -m ruff format --check $(LINTED)

# --- tests: `make test` is what CI runs -------------------------------------
unit:
	$(PYTHON) -m pytest tests/unit

nbval:
	$(PYTHON) -m pytest --nbval $(EXECUTED)/*.ipynb --nbval-sanitize-with tests/nbval-sanitize.cfg -p no:cacheprovider


html:
	$(PYTHON) -m pytest tests/book

# Debian's Chromium and its driver; no browser download
browser-deps:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		chromium chromium-driver; }

browser: browser-deps
	BOOK_PROFILE=$(PROFILE) $(PYTHON) -m pytest tests/browser

standalone:
	$(PYTHON) -m pytest tests/standalone

test: PROFILE = smoke
test: lint unit book nbval html browser standalone

clean:
	rm -rf _build
