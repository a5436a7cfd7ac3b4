# The book's commands. `make help` lists them.
PROFILE ?= standard
PYTHON ?= python3
BOOK := $(PYTHON) scripts/book.py
EXECUTED = _build/$(PROFILE)/book
# Kernels (papermill, nbval) import this checkout's helpers, not another clone's install.
export PYTHONPATH := $(CURDIR)$(if $(PYTHONPATH),:$(PYTHONPATH))

.PHONY: help install lock data execute book check-site site-zip pdf notebooks-zip release \
	full-network full-combine \
	colab-check format lint test unit nbval html browser browser-deps pdf-deps standalone clean

help:
	@echo "make install               install the locked requirements and the helpers package"
	@echo "make lock [UPGRADE=1]      regenerate requirements.lock from requirements.txt"
	@echo "make data                  fetch and verify MNIST and Fashion-MNIST (offline-capable)"
	@echo "make book [PROFILE=...]    execute every chapter, then build the HTML into _build/html"
	@echo "                           PROFILE is smoke, standard (default) or full"
	@echo "make format                ruff-format the code and chapters to 88 columns"
	@echo "make lint                  ruff, and the workflows' schema and audit (part of make test)"
	@echo "make test                  unit tests, smoke execution, nbval, book build, PDF, HTML checks"
	@echo "make check-site            fail unless _build/html/index.html exists"
	@echo "make site-zip              zip _build/html into $(SITE_ZIP)"
	@echo "make pdf [PROFILE=...]     the executed book as one page, printed to $(PDF)"
	@echo "make notebooks-zip         zip the executed chapters into $(NOTEBOOKS_ZIP)"
	@echo "make release TAG=v1.0      attach the three to the tag's GitHub release (gh)"
	@echo "make full-network CHAPTER=06_ensemble NETWORK=3"
	@echo "                           train one network of the full profile (GitHub matrix job)"
	@echo "make full-combine CHAPTER=06_ensemble"
	@echo "                           run the chapter on every stored network, then archive"
	@echo "make colab-check           every chapter at smoke size as in Colab: a fresh venv with"
	@echo "                           the newest TensorFlow allowed and only the helpers package"

# The exact versions of requirements.lock (Linux x86-64, Python 3.11). With another
# Python: make install REQUIREMENTS=requirements.txt (the newest within the ranges).
REQUIREMENTS ?= requirements.lock
PIPFLAGS ?=
install:
	$(PYTHON) -m pip install $(PIPFLAGS) -r $(REQUIREMENTS)
	$(PYTHON) -m pip install $(PIPFLAGS) -e . --no-deps

# uv keeps the versions already in requirements.lock unless requirements.txt rules
# them out; UPGRADE=1 takes the newest allowed
lock:
	$(PYTHON) -m uv pip compile requirements.txt --output-file requirements.lock \
		--python-version 3.11 --python-platform x86_64-manylinux_2_28 \
		--custom-compile-command "make lock" --quiet $(if $(UPGRADE),--upgrade)

data:
	$(PYTHON) scripts/provision.py

# chapters executed at once: two for the smoke profile, whose chapters spend most
# of their time in single-threaded Python; one for the others, whose training
# already keeps every core busy
JOBS ?= $(if $(filter smoke,$(PROFILE)),2,1)
execute: data
	$(BOOK) execute --profile $(PROFILE) --jobs $(JOBS)

book: execute
	$(BOOK) build --profile $(PROFILE)

# --- publishing (.github/workflows/publish.yml) -----------------------------
# A release carries these three; book/intro.md links them under
# .../releases/latest/download/<name>, so the names stay as they are
SITE_ZIP := _build/book-html.zip
PDF := _build/book.pdf
NOTEBOOKS_ZIP := _build/book-notebooks.zip

check-site:
	@test -f _build/html/index.html || { \
		echo "_build/html/index.html is missing: the book was not built (make book)" >&2; \
		exit 1; }
	@echo "_build/html/index.html exists"

site-zip: check-site
	rm -f $(SITE_ZIP)
	cd _build && $(PYTHON) -m zipfile -c $(notdir $(SITE_ZIP)) html/

# The executed chapters (make book) as one page, printed by Chromium: no LaTeX,
# and jupyter-book's pdfhtml would download a Chromium of its own
pdf: pdf-deps
	$(BOOK) build --profile $(PROFILE) --builder singlehtml
	$(PYTHON) scripts/print_pdf.py _build/singlehtml/index.html $(PDF)

# every executed chapter with its outputs, at the zip's top (a run cut short,
# *.running.ipynb, is left out)
NOTEBOOKS = $(filter-out %.running.ipynb,$(wildcard $(EXECUTED)/*.ipynb))
notebooks-zip:
	@test -n "$(NOTEBOOKS)" || { \
		echo "no executed chapters in $(EXECUTED): make book PROFILE=$(PROFILE)" >&2; \
		exit 1; }
	rm -f $(NOTEBOOKS_ZIP)
	$(PYTHON) -m zipfile -c $(NOTEBOOKS_ZIP) $(NOTEBOOKS)

# the tag's release (created, with notes from the commits, if it does not exist yet)
# gets the three files; gh reads GH_TOKEN, and GH_REPO where there is no git remote
RELEASED := $(SITE_ZIP) $(PDF) $(NOTEBOOKS_ZIP)
release:
	@test -n "$(TAG)" || { echo "usage: make release TAG=v1.0" >&2; exit 1; }
	@for file in $(RELEASED); do test -f $$file || { \
		echo "$$file is missing: make site-zip pdf notebooks-zip" >&2; exit 1; }; done
	gh release view "$(TAG)" >/dev/null 2>&1 || \
		gh release create "$(TAG)" --verify-tag --title "$(TAG)" --generate-notes
	gh release upload "$(TAG)" --clobber \
		"$(SITE_ZIP)#The book as HTML, to read offline ($(TAG))" \
		"$(PDF)#The book as PDF ($(TAG))" \
		"$(NOTEBOOKS_ZIP)#The executed notebooks ($(TAG))"

# --- the full profile, one network per machine (.github/workflows/full.yml) --
# The full profile's parameters come from helpers/profiles.py; NETWORKS selects
# the one network this run trains (stored in _build/full/results/members/).
CHAPTER ?= 06_ensemble
FULL_PARAMETERS = $(PYTHON) -c 'import json, sys; from helpers import profiles; \
	print(json.dumps({**profiles.parameters("full", sys.argv[1]), \
	"NETWORKS": [int(sys.argv[2])], "RESULTS_DIR": "../results"}))'

full-network: data
	@test -n "$(NETWORK)" || { \
		echo "usage: make full-network CHAPTER=06_ensemble NETWORK=3" >&2; exit 1; }
	mkdir -p _build/full/book
	$(PYTHON) -m papermill book/$(CHAPTER).ipynb \
		_build/full/book/$(CHAPTER)-network-$(NETWORK).ipynb \
		--cwd _build/full/book --log-output \
		-y "$$($(FULL_PARAMETERS) $(CHAPTER) $(NETWORK))"

# every network stored: the chapter only combines them; then into helpers/archive/full
full-combine: data
	$(BOOK) execute --profile full --chapter $(CHAPTER)
	$(BOOK) archive --profile full

# --- Colab's runtime (.github/workflows/colab.yml) ---------------------------
# Every chapter at smoke size the way a Colab user runs it: the helpers package
# installed from this checkout (as the chapters' Setup cell installs it from the
# repository), no requirements.lock, TensorFlow as it comes. Here: a fresh virtual
# environment with the newest TensorFlow, Keras and the rest of what Colab
# preinstalls that requirements.txt allows. In Colab's container,
# `make colab-check COLAB_VENV=` uses its Python and its own TensorFlow instead.
# helpers is installed as pip installs it from the repository's URL: copied into
# site-packages, not editable; papermill and ipykernel only where they are missing.
COLAB_VENV ?= _build/colab-venv
COLAB_PYTHON = $(if $(COLAB_VENV),$(COLAB_VENV)/bin/python,$(PYTHON))
COLAB_PIP = $(COLAB_PYTHON) -m pip install --quiet --disable-pip-version-check

colab-check:
ifneq ($(COLAB_VENV),)
	rm -rf $(COLAB_VENV)
	$(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_PIP) $$($(PYTHON) scripts/colab_check.py requirements)
endif
	$(COLAB_PIP) . papermill ipykernel
	$(COLAB_PYTHON) scripts/colab_check.py run

# ruff's settings (88 columns, the rules) are in pyproject.toml
LINTED := helpers scripts benchmarks tests book
format:
	$(PYTHON) -m ruff format $(LINTED)
	$(PYTHON) -m ruff check --fix $(LINTED)

WORKFLOWS := .github/workflows
lint:
	$(PYTHON) -m ruff check $(LINTED)
	$(PYTHON) -m ruff format --check $(LINTED)
	$(PYTHON) -m check_jsonschema --builtin-schema vendor.github-workflows $(WORKFLOWS)/*.yml
	zizmor --offline $(WORKFLOWS)

# --- tests: `make test` is what CI runs -------------------------------------
# pytest-xdist workers: most tests wait on single-threaded Python, a kernel or a
# browser, so two workers on two cores take little longer than one
TEST_JOBS ?= 2
XDIST = -n $(TEST_JOBS)
unit:
	$(PYTHON) -m pytest tests/unit $(XDIST)

# --dist loadfile: a notebook's cells run in order, in one worker's kernel
nbval:
	$(PYTHON) -m pytest --nbval $(EXECUTED)/*.ipynb --nbval-sanitize-with tests/nbval-sanitize.cfg -p no:cacheprovider $(XDIST) --dist loadfile


html:
	BOOK_PROFILE=$(PROFILE) $(PYTHON) -m pytest tests/book

# Debian's Chromium and its driver; no browser download (GitHub's Ubuntu runners
# already have /usr/bin/chromium and /usr/bin/chromedriver)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
browser-deps:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		chromium chromium-driver; }

# a font with Korean letters, for the sources' titles: on paper the reader's own
# fonts do not help (Debian's and Ubuntu's fonts-nanum, 10 MB)
pdf-deps: browser-deps
	@fc-list :lang=ko | grep -q . || { \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		fonts-nanum; }

browser: browser-deps
	BOOK_PROFILE=$(PROFILE) $(PYTHON) -m pytest tests/browser $(XDIST)

standalone:
	$(PYTHON) -m pytest tests/standalone $(XDIST)

# pdf and notebooks-zip before html: tests/book checks them too (about 25 s)
test: PROFILE = smoke
test: lint unit book nbval pdf notebooks-zip html browser standalone

clean:
	rm -rf _build
