"""Sphinx helpers of the skphys documentation.

* ``api.rst`` is written from ``__all__`` of :mod:`skphys` and its public
  submodules when the configuration is read, so every public name is in the API
  reference without anyone remembering to add it.
* Class pages document the methods skphys defines (on the class or a skphys base
  class); methods inherited from scikit-learn (``get_params``, ``score``,
  ``set_output``, ``set_*_request``, ...) are scikit-learn's and documented there.
* Intersphinx inventories that cannot be downloaded *because there is no network*
  are reported as information instead of a warning (see :func:`_offline_filter`).
* ``.. skphys-cli-help::`` prints the ``--help`` of the ``skphys`` command and of
  each sub-command, so the CLI page never drifts from the parser.
"""

import contextlib
import importlib
import inspect
import logging
import os
import pkgutil
import re
from pathlib import Path

from docutils import nodes
from sklearn.base import RegressorMixin, TransformerMixin
from sphinx.util.docutils import SphinxDirective

# Public submodules come first in this order; any other (found by walking the
# package: every module not starting with "_") follows alphabetically.
SUBMODULE_ORDER = (
    "skphys.functions",
    "skphys.datasets",
    "skphys.atoms",
    "skphys.sensitivity",
    "skphys.plotting",
    "skphys.exceptions",
    "skphys.cli",
)


def public_submodules():
    """Names of the public submodules of skphys, in the order of the API reference."""
    import skphys

    found = sorted(
        f"skphys.{info.name}"
        for info in pkgutil.iter_modules(skphys.__path__)
        if not info.name.startswith("_")
    )
    return [m for m in SUBMODULE_ORDER if m in found] + [
        m for m in found if m not in SUBMODULE_ORDER
    ]


# Sections of the top-level namespace: (title, predicate on the exported object).
TOP_LEVEL_SECTIONS = (
    ("Estimators", lambda name, obj: _is_class(obj, RegressorMixin) and not _is_base(name)),
    ("Transformers", lambda name, obj: _is_class(obj, TransformerMixin)),
    ("Base classes", lambda name, obj: inspect.isclass(obj) and _is_base(name)),
    ("Warnings and errors", lambda name, obj: _is_class(obj, Exception)),
    ("Other", lambda name, obj: True),
)


def _is_class(obj, base):
    return inspect.isclass(obj) and issubclass(obj, base)


def _is_base(name):
    return name.startswith("Base")


def public_names(module_name):
    """Public names of a module: its ``__all__``, else the functions it defines.

    Dunder names (``__version__``) are left out: they are not API objects.
    """
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            name
            for name, obj in vars(module).items()
            if inspect.isfunction(obj) and obj.__module__ == module_name
        ]
    return [name for name in names if not name.startswith("_")]


def _autosummary(module_name, names):
    lines = [f".. currentmodule:: {module_name}", "", ".. autosummary::", "   :toctree: generated/"]
    lines += ["", *(f"   {name}" for name in sorted(names, key=str.lower)), ""]
    return lines


def _title(text, char):
    return [text, char * len(text), ""]


def api_reference():
    """The text of ``api.rst``."""
    lines = [
        ".. This file is written by docs/_ext/skphys_docs.py from __all__; do not edit.",
        "",
        ".. _api:",
        "",
        *_title("API reference", "="),
        "Every public name of skphys, generated from the ``__all__`` of :mod:`skphys`",
        "and of its public submodules. Units follow :ref:`units`. Methods inherited",
        "from scikit-learn (``get_params``, ``set_params``, ``score``, ``set_output``,",
        "``fit_transform``, metadata routing) are documented by scikit-learn.",
        "",
        *_title(":mod:`skphys`", "-"),
        ".. automodule:: skphys",
        "   :no-members:",
        "",
        "``skphys.__version__`` is the installed version as a string.",
        "",
    ]
    top = importlib.import_module("skphys")
    documented = {}
    remaining = public_names("skphys")
    for title, belongs in TOP_LEVEL_SECTIONS:
        names = [n for n in remaining if belongs(n, getattr(top, n))]
        remaining = [n for n in remaining if n not in names]
        if names:
            lines += _title(title, "~") + _autosummary("skphys", names)
            documented.update({id(getattr(top, n)): f"skphys.{n}" for n in names})
    for module_name in public_submodules():
        module = importlib.import_module(module_name)
        names = public_names(module_name)
        # An object exported from skphys too is documented once, under skphys.
        elsewhere = [n for n in names if id(getattr(module, n)) in documented]
        own = [n for n in names if n not in elsewhere]
        lines += _title(f":mod:`{module_name}`", "-")
        lines += [f".. automodule:: {module_name}", "   :no-members:", ""]
        if elsewhere:
            targets = [documented[id(getattr(module, n))] for n in elsewhere]
            refs = ", ".join(f":obj:`{n} <{t}>`" for n, t in zip(elsewhere, targets, strict=True))
            lines += [f"Also importable from here: {refs}.", ""]
        if own:
            lines += _autosummary(module_name, own)
    return "\n".join(lines) + "\n"


def write_api_reference(app, config):
    """Write ``api.rst`` (only when its text changes, so rebuilds stay incremental)."""
    path = Path(app.srcdir) / "api.rst"
    text = api_reference()
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


# -- class members ------------------------------------------------------------------
def _defined_in_skphys(obj):
    """Whether a class member's code comes from skphys (not scikit-learn or builtins)."""
    for attribute in ("fget", "__func__"):  # properties, classmethods
        obj = getattr(obj, attribute, obj)
    module = getattr(inspect.unwrap(obj), "__module__", None) if callable(obj) else None
    return bool(module) and module.split(".")[0] == "skphys"


def skip_foreign_members(app, what, name, obj, skip, options):
    """Skip class members that skphys does not define; defer every other decision."""
    if what == "class" and not skip and not _defined_in_skphys(obj):
        return True
    return None


# -- intersphinx without network ----------------------------------------------------
# Sphinx reports an inventory it cannot load as "failed to reach any of the
# inventories with the following issues: ..." (no warning type, so
# ``suppress_warnings`` cannot select it). Offline (CI here reaches no site but the
# package registries) every inventory fails that way and ``-W`` would stop the
# build. The filter lets through every other warning, and this one too unless
# *each* listed failure is a network failure of requests (no route, DNS, timeout):
# a wrong URL (HTTP 404) or a broken local inventory file still fails the build.
_INTERSPHINX_FAILURE = "failed to reach any of the inventories"
_FAILURE_CLASS = re.compile(r"not fetchable due to <class '[\w.]*?(\w+)'>")
_NETWORK_ERRORS = {"ConnectionError", "ConnectTimeout", "ReadTimeout", "Timeout"}


def _offline_only(failures):
    """Whether every failure listed is requests' failure to reach the host at all."""
    lines = [line for line in failures.splitlines() if line.strip()]
    classes = [_FAILURE_CLASS.search(line) for line in lines]
    return bool(lines) and all(c is not None and c.group(1) in _NETWORK_ERRORS for c in classes)


def _offline_filter(record):
    if record.levelno >= logging.WARNING and _INTERSPHINX_FAILURE in str(record.msg):
        failures = str(record.args[0]) if record.args else ""
        if _offline_only(failures):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.nonl = False  # warnings are logged without a line end of their own
            record.msg = "intersphinx inventory not loaded (no network): %s"
    return True


# -- the command-line help ----------------------------------------------------------
@contextlib.contextmanager
def _environment(**values):
    """Set environment variables for the duration of a block."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value


class CliHelp(SphinxDirective):
    """``.. skphys-cli-help:: [SUBCOMMAND]``: the ``--help`` text as a literal block."""

    optional_arguments = 1

    def run(self):
        import skphys.cli
        from skphys.cli import build_parser

        for source in Path(skphys.cli.__file__).parent.glob("*.py"):
            self.env.note_dependency(str(source))  # rebuild the page when the CLI changes
        parser = build_parser()
        if self.arguments:
            subparsers = next(a for a in parser._actions if a.dest == "command")
            parser = subparsers.choices[self.arguments[0]]
        # argparse reads the line width from COLUMNS and, from Python 3.14, may colour
        # its help: fixed width and no colour make the page reproducible.
        with _environment(COLUMNS="88", NO_COLOR="1"):
            text = parser.format_help()
        block = nodes.literal_block(text, text)
        block["language"] = "text"
        return [block]


def setup(app):
    app.setup_extension("sphinx.ext.autodoc")
    app.connect("config-inited", write_api_reference)
    app.connect("autodoc-skip-member", skip_foreign_members)
    app.add_directive("skphys-cli-help", CliHelp)
    logging.getLogger("sphinx.sphinx.ext.intersphinx").addFilter(_offline_filter)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
