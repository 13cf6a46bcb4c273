"""Warnings issued during a fit, kept as data and shown as one-line notes.

The command line shows a warning as ``CategoryName: message`` (no file, line or
source text) and lists it in its JSON output; it decides from the categories
whether the fit's numbers can stand (:func:`is_unphysical`).
"""

import contextlib
import warnings

from sklearn.exceptions import ConvergenceWarning

from ..exceptions import UnphysicalParametersWarning

# exit status of a fit that ended, with numbers, at unphysical parameters or
# without converging (2 is bad input or an output that cannot be written)
UNPHYSICAL_FIT_STATUS = 3


@contextlib.contextmanager
def collected_warnings():
    """Record every warning issued inside the block, each distinct one once.

    Yields
    ------
    notes : list of dict
        Filled on exit with ``{"category": name, "message": text}``.
    """
    notes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield notes
    seen = set()
    for w in caught:
        key = (w.category.__name__, " ".join(str(w.message).split()))
        if key not in seen:
            seen.add(key)
            notes.append({"category": key[0], "message": key[1]})


def is_unphysical(notes, estimator):
    """Whether the fit ended at unphysical parameters or did not converge.

    Parameters
    ----------
    notes : list of dict
        The warnings of the fit (:func:`collected_warnings`).
    estimator : object
        The fitted estimator (its ``converged_`` is read when it has one).

    Returns
    -------
    unphysical : bool
    """
    bad = {UnphysicalParametersWarning.__name__, ConvergenceWarning.__name__}
    return any(note["category"] in bad for note in notes) or not getattr(
        estimator, "converged_", True
    )


def one_line(note):
    """``'Category: message'`` on one line."""
    return f"{note['category']}: {note['message']}"
