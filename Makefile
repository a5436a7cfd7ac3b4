# The book's commands. `make help` lists them.
PROFILE ?= standard
PYTHON ?= python3
BOOK := $(PYTHON) scripts/book.py
EXECUTED = _build/$(PROFILE)/book

.PHONY: help install data execute book test unit notebooks nbval html clean

help:
	@echo "make install               install the Python requirements and the helpers package"
	@echo "make data                  fetch and verify MNIST and Fashion-MNIST (offline-capable)"
	@echo "make book [PROFILE=...]    execute every chapter, then build the HTML into _build/html"
	@echo "                           PROFILE is smoke, standard (default) or full"
	@echo "make test                  unit tests, smoke execution, nbval, book build, HTML checks"

install:
	$(PYTHON) -m pip install -r requirements.txt
	$(PYTHON) -m pip install -e .

data:
	$(PYTHON) -m helpers.data provision

execute: data
	$(BOOK) execute --profile $(PROFILE)

book: execute
	$(BOOK) build --profile $(PROFILE)

# --- tests: `make test` is what CI runs -------------------------------------
unit:
	$(PYTHON) -m pytest tests/unit

nbval:
	$(PYTHON) -m pytest --nbval $(EXECUTED)/*.ipynb --nbval-sanitize-with tests/nbval-sanitize.cfg -p no:cacheprovider


html:
	$(PYTHON) -m pytest tests/book

test: PROFILE = smoke
test: unit book nbval html

clean:
	rm -rf _build
