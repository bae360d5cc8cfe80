# The README's commands: `make book` (set up + build every framework's site) and `make test`.
# FRAMEWORKS=pytorch,jax restricts every step to those frameworks.
PYTHON ?= python3
TOOLS  := .venvs/tools/bin/python
FRAMEWORKS ?=
export FRAMEWORKS

.PHONY: book envs notebooks lib check execute html test clean help

help:
	@echo "make book   set up the environments and build every framework's site (_build/html/<fw>/)"
	@echo "make test   set up what the tests need and run them"
	@echo "finer steps: make envs | notebooks | lib | check | execute | html | clean   (FRAMEWORKS=a,b to restrict)"

book: envs lib html
	@echo "Sites:"; for d in _build/html/*/; do echo "  $$d""index.html"; done

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

# The tests build the fixture book and the whole book in all four frameworks.
test:
	$(MAKE) envs FRAMEWORKS=
	$(TOOLS) -m scripts lib --check
	$(TOOLS) -m scripts check
	$(TOOLS) -m pytest tests -q -ra

clean:
	rm -rf _build tests/fixture/_build
