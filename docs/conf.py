"""Sphinx configuration of the skphys documentation.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` (what
``.ci/run`` does). The examples gallery runs ``examples/plot_*.py`` at build time.
"""

import glob
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # examples draw without a display

import skphys  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent / "_ext"))  # skphys_docs

project = "skphys"
author = "The skphys developers"
copyright = "The skphys developers"  # noqa: A001
release = skphys.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "skphys_docs",  # api.rst from __all__, class members, offline intersphinx, CLI help
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
default_role = "obj"
pygments_style = "sphinx"

# -- API reference --------------------------------------------------------------------
autosummary_generate = True
autosummary_ignore_module_all = False
autodoc_typehints = "none"
autoclass_content = "class"
numpydoc_show_class_members = False  # the class template lists the methods
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- intersphinx ------------------------------------------------------------------------
# Links to numpy, scipy, scikit-learn, ASE, Python and matplotlib need these projects'
# objects.inv inventories. No PyPI package ships them, and CI (like most developer
# machines here) reaches no site but the package registries. So:
#
# * each inventory is first downloaded from its site (offline this fails at once:
#   the host does not resolve; intersphinx_timeout bounds a slow network);
# * then read from a local copy where one exists: Debian's documentation packages
#   (apt-get install python3-doc python-scipy-doc python-sklearn-doc python-ase-doc:
#   older releases than the ones installed, but the names we link to are there),
#   or the copy Sphinx keeps beside the doctrees (docs/_build/html/.doctrees) from
#   an earlier online build, for intersphinx_cache_limit days;
# * an inventory that no location provides *because the network is unreachable* is
#   reported as information, not as a warning (docs/_ext/skphys_docs.py; anything
#   else -- a wrong URL, an HTTP error, a corrupt file -- stays a warning, and so
#   fails the build under -W).
#
# Offline, references to those projects render as plain text; built with network
# (or with the local inventories) they are links.
_SITES = {
    "python": "https://docs.python.org/3/",
    "numpy": "https://numpy.org/doc/stable/",
    "scipy": "https://docs.scipy.org/doc/scipy/",
    "sklearn": "https://scikit-learn.org/stable/",
    "ase": "https://ase-lib.org/",
    "matplotlib": "https://matplotlib.org/stable/",
}
# Debian's documentation packages: a glob of the package's folder in /usr/share/doc.
_DEBIAN_DOCS = {
    "python": "python3*",
    "numpy": "python-numpy*",
    "scipy": "python-scipy-doc",
    "sklearn": "python-sklearn-doc",
    "ase": "python-ase-doc",
    "matplotlib": "python-matplotlib*",
}


def _local_inventory(name):
    """The newest local copy of a project's inventory, as a tuple of 0 or 1 path."""
    found = sorted(glob.glob(f"/usr/share/doc/{_DEBIAN_DOCS[name]}/html/objects.inv"))
    return tuple(found[-1:])


# None stands for the site's own objects.inv, tried first.
intersphinx_mapping = {name: (url, (None, *_local_inventory(name))) for name, url in _SITES.items()}
intersphinx_timeout = 5
intersphinx_disabled_reftypes = ["std:doc"]

# -- examples gallery -----------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",  # run every plot_*.py
    "ignore_pattern": r"__init__\.py",
    "doc_module": ("skphys",),
    "backreferences_dir": "generated/backreferences",
    "image_scrapers": ("matplotlib",),
    # The examples save their figure in the working directory (they run without
    # __file__ here, as in a notebook); sphinx-gallery runs each in its own folder.
    "reset_modules": ("matplotlib",),
    "within_subsection_order": "FileNameSortKey",
    "remove_config_comments": True,
    "show_memory": False,
    # A failing example fails the build: nothing is left out silently.
    "only_warn_on_example_error": False,
    "abort_on_example_error": False,
}
os.environ.setdefault("MPLBACKEND", "Agg")

# -- HTML ---------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skphys {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_show_sourcelink = False
