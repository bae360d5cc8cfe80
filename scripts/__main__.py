"""Command line: ``python -m scripts <command> [--root DIR] ...``.

Each command lives in its stage's module and is imported only when used, so ``envs`` runs on a
bare system Python before any virtual environment exists.
"""
import importlib
import sys

COMMANDS = {
    "book": ("scripts.book", "the whole build (envs, lib, execute, html, pdf, site), skipping what is up to date"),
    "envs": ("scripts.envs", "build the pinned venvs and register the Jupyter kernels"),
    "notebooks": ("scripts.notebooks", "turn book/ into one MyST notebook per framework"),
    "lib": ("scripts.library", "extract #@save code into d2l/<framework>.py (--check: drift)"),
    "check": ("scripts.check", "report every malformed construct as file:line"),
    "execute": ("scripts.execute", "run the notebooks without fresh outputs; freeze every result in _freeze/"),
    "cache-import": ("scripts.execute:import_main", "merge entries exported by `execute --export` (and freeze them)"),
    "status": ("scripts.status", "fresh, stale and missing frozen outputs, why, and what re-running costs"),
    "bench": ("scripts.bench", "measure the execute stage: overhead, workers, rebuilds"),
    "serve": ("scripts.serve", "live preview of one framework's site (sphinx-autobuild): rebuilds and reloads on each edit"),
    "html": ("scripts.render", "build one HTML site per framework into _build/html/<fw>/"),
    "site": ("scripts.publish:site_main", "assemble the versioned site, Colab notebooks and zips in _build/site/"),
    "linkcheck": ("scripts.linkcheck", "check every internal link and anchor of the built site; list the external ones"),
    "publish": ("scripts.publish:publish_main", "merge this version of _build/site into a published tree (--into DIR)"),
    "pdf": ("scripts.render:pdf_main", "build one PDF per framework into _build/pdf/ (xelatex)"),
    "import-d2lbook": ("scripts.migrate", "convert a d2lbook project into this layout"),
}


def usage() -> str:
    lines = ["usage: python -m scripts <command> [options]", "", "commands:"]
    lines += [f"  {name:<16} {help_}" for name, (_, help_) in COMMANDS.items()]
    lines += ["", "Every command takes --root DIR (default: the current directory) and most take",
              "--frameworks A,B (default: $FRAMEWORKS, else all). Problems go to stderr as",
              "file:line: what is wrong — what to do. Exit status: 0 done, 1 the book has a",
              "problem or a step failed, 2 wrong command line."]
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"unknown command '{name}'\n\n{usage()}", file=sys.stderr)
        return 2
    module_name, _, func = COMMANDS[name][0].partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, func or "main")(rest) or 0


if __name__ == "__main__":
    sys.exit(main())
