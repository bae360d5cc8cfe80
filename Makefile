# The README's commands: `make book` (set up + build every framework's site) and `make test`.
# FRAMEWORKS=pytorch,jax restricts every step to those frameworks.
PYTHON ?= python3
TOOLS  := .venvs/tools/bin/python
TOOLS_READY := .venvs/.tools-ready
# a stamp without its venv (a cleaned cache) does not count
$(if $(wildcard $(TOOLS)),,$(shell rm -f $(TOOLS_READY)))
FRAMEWORKS ?=
export FRAMEWORKS

.PHONY: book book-envs envs notebooks lib check execute freeze status html preview serve pdf site linkcheck publish test clean help

help:
	@echo "make book    set up what is needed and build every framework's site and PDF from the frozen outputs"
	@echo "make test    set up what the tests need and run them"
	@echo "make freeze  execute the pages whose frozen outputs are stale or missing, and freeze them (commit _freeze/)"
	@echo "make status  which frozen outputs are fresh, stale or missing, and why"
	@echo "make preview render without executing (frozen outputs where they exist, a note elsewhere)"
	@echo "make serve   live preview of one framework's site on http://127.0.0.1:8000/ (PORT=, FRAMEWORKS=)"
	@echo "finer steps: make envs | notebooks | lib | check | execute | html | pdf | site | clean   (FRAMEWORKS=a,b to restrict)"
	@echo "publishing: make publish INTO=path/to/gh-pages"

# Sites, then the PDFs when TeX is present, then the versioned site in _build/site/, in one
# process (`python -m scripts book`). Pages whose frozen outputs are fresh are not executed, and a
# framework with nothing to execute needs no environment: on a fresh clone with a fresh freeze
# only the toolchain's venv is built. Every step skips what is up to date; when nothing changed,
# the build stops after comparing one stamp.
book: $(TOOLS_READY)
	$(TOOLS) -m scripts book

# The toolchain's venv, rebuilt when its pins or the code that builds it change (or it is gone).
$(TOOLS_READY): requirements-tools.txt scripts/envs.py
	$(PYTHON) -m scripts envs --tools-only
	@touch $@

book-envs:
	$(PYTHON) -m scripts envs --tools-only
	@fws="$$($(TOOLS) -m scripts status --stale-frameworks)"; \
	if [ -n "$$fws" ]; then $(TOOLS) -m scripts envs --no-apt --frameworks "$$fws"; \
	else echo "[envs] every page has fresh frozen outputs: no framework environment needed"; fi

# Shared, hash-keyed venvs + kernels + Debian packages; a second run with nothing changed takes seconds.
envs:
	$(PYTHON) -m scripts envs --tools-only
	$(TOOLS) -m scripts envs --no-apt

notebooks: envs
	$(TOOLS) -m scripts notebooks

lib: envs
	$(TOOLS) -m scripts lib

check: envs
	$(TOOLS) -m scripts check

# Runs only the notebooks without fresh outputs (frozen, or in the cache shared by every clone)
# and freezes every result into _freeze/.
execute: book-envs
	$(TOOLS) -m scripts execute

freeze: execute

status:
	$(PYTHON) -m scripts envs --tools-only --no-apt
	$(TOOLS) -m scripts status

html: execute
	$(TOOLS) -m scripts html

# Read the book before (or without) executing it: frozen or cached outputs where they exist, the
# code under a "Not executed" note elsewhere. Needs only the toolchain's venv.
preview: $(TOOLS_READY)
	$(TOOLS) -m scripts html --no-execute

# Live preview of one framework's site (FRAMEWORKS=jax make serve; default: the book's default)
# on http://127.0.0.1:$(PORT)/: each edit rebuilds the page, re-executing it only when its code
# changed, and reloads the browser.
PORT ?= 8000
serve: book-envs
	$(TOOLS) -m scripts serve --port $(PORT)

pdf: execute
	$(TOOLS) -m scripts pdf

site: html
	$(TOOLS) -m scripts site

linkcheck: site
	$(TOOLS) -m scripts linkcheck

INTO ?=
publish:
	@test -n "$(INTO)" || { echo "usage: make publish INTO=path/to/published/tree"; exit 2; }
	$(TOOLS) -m scripts publish --into "$(INTO)"

# The tests execute the fixture book for real in all four frameworks; the whole book renders from
# its frozen outputs, and a page whose frozen outputs are stale or missing fails the tests.
test:
	$(MAKE) envs FRAMEWORKS=
	$(TOOLS) -m scripts lib --check
	$(TOOLS) -m scripts check
	$(TOOLS) -m pytest tests -q -ra

clean:
	rm -rf _build tests/fixture/_build
