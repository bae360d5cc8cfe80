# The README's commands: `make book` (set up + build every framework's site) and `make test`.
# FRAMEWORKS=pytorch,jax restricts every step to those frameworks.
PYTHON ?= python3
TOOLS  := .venvs/tools/bin/python
FRAMEWORKS ?=
export FRAMEWORKS

.PHONY: book envs notebooks lib check execute html pdf site publish test clean help

help:
	@echo "make book   set up the environments and build every framework's site (_build/html/<fw>/)"
	@echo "make test   set up what the tests need and run them"
	@echo "finer steps: make envs | notebooks | lib | check | execute | html | pdf | site | clean   (FRAMEWORKS=a,b to restrict)"
	@echo "publishing: make publish INTO=path/to/gh-pages"

# Sites, then the PDFs when TeX is present, then the versioned site in _build/site/.
book: envs lib html
	@if command -v xelatex >/dev/null && command -v latexmk >/dev/null; then \
	  $(TOOLS) -m scripts pdf; else echo "[pdf] skipped: no TeX here (make envs as root installs it)"; fi
	$(TOOLS) -m scripts site

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

# Runs only the notebooks without a valid cache entry (cache shared by every clone).
execute: envs
	$(TOOLS) -m scripts execute

html: execute
	$(TOOLS) -m scripts html

pdf: execute
	$(TOOLS) -m scripts pdf

site: html
	$(TOOLS) -m scripts site

INTO ?=
publish:
	@test -n "$(INTO)" || { echo "usage: make publish INTO=path/to/published/tree"; exit 2; }
	$(TOOLS) -m scripts publish --into "$(INTO)"

# The tests build the fixture book and the whole book in all four frameworks.
test:
	$(MAKE) envs FRAMEWORKS=
	$(TOOLS) -m scripts lib --check
	$(TOOLS) -m scripts check
	$(TOOLS) -m pytest tests -q -ra

clean:
	rm -rf _build tests/fixture/_build
