"""Warnings that point at the user's line, not at skphys or scikit-learn.

A warning raised during ``fit`` passes through scikit-learn's ``_fit_context``
wrapper, often a ``Pipeline`` or a model-selection loop: a fixed ``stacklevel``
names one of their frames. :func:`warn` walks the stack instead and names the first
frame outside skphys, scikit-learn and the standard library's plumbing (as pandas'
``find_stack_level`` does).
"""

import contextlib
import functools
import inspect
import os
import warnings

import sklearn

_PACKAGE_DIRECTORIES = tuple(
    directory + os.sep
    for directory in (
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))),  # skphys
        os.path.dirname(os.path.abspath(sklearn.__file__)),
    )
)
# decorators and context managers between a wrapper and the wrapped call
_PLUMBING_FILES = (contextlib.__file__, functools.__file__)


def _is_internal(filename):
    return filename.startswith(_PACKAGE_DIRECTORIES) or filename in _PLUMBING_FILES


def warn(message, category):
    """Issue ``warnings.warn(message, category)`` at the caller's first own frame.

    Parameters
    ----------
    message : str
        The warning's text.
    category : type
        A subclass of :class:`Warning`.
    """
    frame = inspect.currentframe()
    level = 1
    while frame is not None and _is_internal(frame.f_code.co_filename):
        frame = frame.f_back
        level += 1
    if frame is None:  # called from nothing but library frames (a worker process)
        level -= 1
    warnings.warn(message, category, stacklevel=level)
