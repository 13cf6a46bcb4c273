"""The NIST StRD nonlinear regression problems: models, a reader and the score.

The 27 nonlinear least-squares problems of the NIST Statistical Reference Datasets
(StRD; public domain, National Institute of Standards and Technology, Information
Technology Laboratory, https://www.itl.nist.gov/div898/strd/nls/nls_main.shtml).
Each ``.dat`` file holds the model in words, two starting points (Start 1 far from
the solution, Start 2 near it), the certified parameters and standard deviations
to 11 significant digits, the certified residual sum of squares, and the data.
The tests and ``benchmarks/bench_nist.py`` read the copies in
``tests/data/nist_strd``.

The files state each model as text (``y = b1*(1-exp[-b2*x])``); :data:`MODELS`
writes them out in ``autograd.numpy`` with skphys's per-sample convention
(``b1, b2 = params; x = X[:, 0]``), so that ``params`` may be a vector, an array
of shape (n_params, n_samples) or a tuple of rows. A form shared by several
problems is written once. Problems are scored as NIST and the literature do, by
the log relative error (:func:`log_relative_error`).
"""

import re
from dataclasses import dataclass
from pathlib import Path

import autograd.numpy as anp
import numpy as np

# Certified values carry 11 significant digits: an LRE above that is not resolved.
CERTIFIED_DIGITS = 11


# -- the models, as the headers state them -----------------------------------------
# All share skphys's signature model(params, X) -> ndarray of shape (n_samples,), with
# params of shape (n_params,), (n_params, n_samples) or a tuple of n_params rows, and
# X of shape (n_samples, n_features). The docstring is the header's formula.
def misra1a(params, X):
    """``y = b1*(1-exp[-b2*x])``: Misra1a and BoxBOD."""
    b1, b2 = params
    return b1 * (1 - anp.exp(-b2 * X[:, 0]))


def misra1b(params, X):
    """``y = b1 * (1-(1+b2*x/2)**(-2))``."""
    b1, b2 = params
    return b1 * (1 - (1 + b2 * X[:, 0] / 2) ** (-2))


def misra1c(params, X):
    """``y = b1 * (1-(1+2*b2*x)**(-.5))``."""
    b1, b2 = params
    return b1 * (1 - (1 + 2 * b2 * X[:, 0]) ** (-0.5))


def misra1d(params, X):
    """``y = b1*b2*x*((1+b2*x)**(-1))``."""
    b1, b2 = params
    x = X[:, 0]
    return b1 * b2 * x * (1 + b2 * x) ** (-1)


def chwirut(params, X):
    """``y = exp[-b1*x]/(b2+b3*x)``: Chwirut1 and Chwirut2."""
    b1, b2, b3 = params
    x = X[:, 0]
    return anp.exp(-b1 * x) / (b2 + b3 * x)


def danwood(params, X):
    """``y = b1*x**b2``."""
    b1, b2 = params
    return b1 * X[:, 0] ** b2


def lanczos(params, X):
    """``y = b1*exp(-b2*x) + b3*exp(-b4*x) + b5*exp(-b6*x)``: Lanczos1, 2 and 3."""
    b1, b2, b3, b4, b5, b6 = params
    x = X[:, 0]
    return b1 * anp.exp(-b2 * x) + b3 * anp.exp(-b4 * x) + b5 * anp.exp(-b6 * x)


def gauss(params, X):
    """``y = b1*exp(-b2*x) + b3*exp(-(x-b4)**2/b5**2) + b6*exp(-(x-b7)**2/b8**2)``.

    Gauss1, Gauss2 and Gauss3.
    """
    b1, b2, b3, b4, b5, b6, b7, b8 = params
    x = X[:, 0]
    return (
        b1 * anp.exp(-b2 * x)
        + b3 * anp.exp(-((x - b4) ** 2) / b5**2)
        + b6 * anp.exp(-((x - b7) ** 2) / b8**2)
    )


def kirby2(params, X):
    """``y = (b1 + b2*x + b3*x**2) / (1 + b4*x + b5*x**2)``."""
    b1, b2, b3, b4, b5 = params
    x = X[:, 0]
    return (b1 + b2 * x + b3 * x**2) / (1 + b4 * x + b5 * x**2)


def hahn1(params, X):
    """``y = (b1+b2*x+b3*x**2+b4*x**3) / (1+b5*x+b6*x**2+b7*x**3)``: Hahn1 and Thurber."""
    b1, b2, b3, b4, b5, b6, b7 = params
    x = X[:, 0]
    return (b1 + b2 * x + b3 * x**2 + b4 * x**3) / (1 + b5 * x + b6 * x**2 + b7 * x**3)


def nelson(params, X):
    """``log[y] = b1 - b2*x1 * exp[-b3*x2]``: the response is log(y) (see :func:`load`)."""
    b1, b2, b3 = params
    return b1 - b2 * X[:, 0] * anp.exp(-b3 * X[:, 1])


def mgh17(params, X):
    """``y = b1 + b2*exp[-x*b4] + b3*exp[-x*b5]``."""
    b1, b2, b3, b4, b5 = params
    x = X[:, 0]
    return b1 + b2 * anp.exp(-x * b4) + b3 * anp.exp(-x * b5)


def roszman1(params, X):
    """``y = b1 - b2*x - arctan[b3/(x-b4)]/pi``."""
    b1, b2, b3, b4 = params
    x = X[:, 0]
    return b1 - b2 * x - anp.arctan(b3 / (x - b4)) / anp.pi


def enso(params, X):
    """Three harmonics: a year and two fitted periods ``b4`` and ``b7`` (months).

    ``y = b1 + b2*cos(2*pi*x/12) + b3*sin(2*pi*x/12) + b5*cos(2*pi*x/b4)
    + b6*sin(2*pi*x/b4) + b8*cos(2*pi*x/b7) + b9*sin(2*pi*x/b7)``.
    """
    b1, b2, b3, b4, b5, b6, b7, b8, b9 = params
    angle = 2 * anp.pi * X[:, 0]
    return (
        b1
        + b2 * anp.cos(angle / 12)
        + b3 * anp.sin(angle / 12)
        + b5 * anp.cos(angle / b4)
        + b6 * anp.sin(angle / b4)
        + b8 * anp.cos(angle / b7)
        + b9 * anp.sin(angle / b7)
    )


def mgh09(params, X):
    """``y = b1*(x**2+x*b2) / (x**2+x*b3+b4)``."""
    b1, b2, b3, b4 = params
    x = X[:, 0]
    return b1 * (x**2 + x * b2) / (x**2 + x * b3 + b4)


def mgh10(params, X):
    """``y = b1 * exp[b2/(x+b3)]``."""
    b1, b2, b3 = params
    return b1 * anp.exp(b2 / (X[:, 0] + b3))


def eckerle4(params, X):
    """``y = (b1/b2) * exp[-0.5*((x-b3)/b2)**2]``."""
    b1, b2, b3 = params
    return (b1 / b2) * anp.exp(-0.5 * ((X[:, 0] - b3) / b2) ** 2)


def rat42(params, X):
    """``y = b1 / (1+exp[b2-b3*x])``."""
    b1, b2, b3 = params
    return b1 / (1 + anp.exp(b2 - b3 * X[:, 0]))


def rat43(params, X):
    """``y = b1 / ((1+exp[b2-b3*x])**(1/b4))``."""
    b1, b2, b3, b4 = params
    return b1 / (1 + anp.exp(b2 - b3 * X[:, 0])) ** (1 / b4)


def bennett5(params, X):
    """``y = b1 * (b2+x)**(-1/b3)``."""
    b1, b2, b3 = params
    return b1 * (b2 + X[:, 0]) ** (-1 / b3)


# NIST's order: by difficulty (Lower, Average, Higher), then as NIST lists them.
MODELS = {
    "Misra1a": misra1a,
    "Chwirut2": chwirut,
    "Chwirut1": chwirut,
    "Lanczos3": lanczos,
    "Gauss1": gauss,
    "Gauss2": gauss,
    "DanWood": danwood,
    "Misra1b": misra1b,
    "Kirby2": kirby2,
    "Hahn1": hahn1,
    "Nelson": nelson,
    "MGH17": mgh17,
    "Lanczos1": lanczos,
    "Lanczos2": lanczos,
    "Gauss3": gauss,
    "Misra1c": misra1c,
    "Misra1d": misra1d,
    "Roszman1": roszman1,
    "ENSO": enso,
    "MGH09": mgh09,
    "Thurber": hahn1,
    "BoxBOD": misra1a,
    "Rat42": rat42,
    "MGH10": mgh10,
    "Eckerle4": eckerle4,
    "Rat43": rat43,
    "Bennett5": bennett5,
}

# Problems whose model is stated for log(y): the reader takes the log of the response.
LOG_RESPONSE = frozenset({"Nelson"})


# eq=False: the fields are arrays, which do not compare to one bool; a problem is
# equal only to itself (and hashes, as a frozen object should).
@dataclass(frozen=True, eq=False)
class NistProblem:
    """One NIST StRD nonlinear regression problem with its certified answer.

    The fields are also the attributes; ``n_params`` is derived from them.

    Parameters
    ----------
    name : str
        NIST's name, e.g. 'MGH09'.
    model : callable
        ``model(params, X)`` in ``autograd.numpy`` (one of :data:`MODELS`).
    formula : str
        The model as the file states it, e.g. ``'y = b1*(1-exp[-b2*x])'``.
    X : ndarray of shape (n_samples, n_features)
        The predictors (two columns for Nelson, one otherwise).
    y : ndarray of shape (n_samples,)
        The response the model is fitted to: log(y) of the file for Nelson, whose
        model is stated for log(y); the file's y otherwise.
    starts : tuple of two ndarray of shape (n_params,)
        NIST's Start 1 (far from the solution) and Start 2 (near it).
    certified : ndarray of shape (n_params,)
        Certified parameter values.
    certified_std : ndarray of shape (n_params,)
        Certified standard deviations of the parameters.
    certified_sse : float
        Certified residual sum of squares.
    difficulty : {'Lower', 'Average', 'Higher'}
        NIST's level of difficulty.
    """

    name: str
    model: object
    formula: str
    X: np.ndarray
    y: np.ndarray
    starts: tuple
    certified: np.ndarray
    certified_std: np.ndarray
    certified_sse: float
    difficulty: str

    @property
    def n_params(self):
        """Number of parameters."""
        return self.certified.size


_PARAMETER_LINE = re.compile(r"^\s*b(\d+)\s*=\s*(.*)$")
_NUMBER = r"([-+0-9.Ee]+)"


def _header_value(lines, label):
    """The number after ``label:`` in the header."""
    pattern = re.compile(rf"^\s*{re.escape(label)}:\s*{_NUMBER}\s*$")
    for line in lines:
        match = pattern.match(line)
        if match:
            return float(match.group(1))
    raise ValueError(f"no line '{label}: <number>' in the file")


def _formula(lines):
    """The model's equation as stated after 'Model:' (joined over its lines, no '+ e')."""
    start = next(i for i, line in enumerate(lines) if line.startswith("Model:"))
    parts = []
    for line in lines[start + 1 :]:
        text = line.strip()
        if not text and parts:
            break
        if parts or re.match(r"^(log\[y\]|y)\s*=", text):
            parts.append(text)
    formula = " ".join(" ".join(parts).split())
    return re.sub(r"\s*\+\s*e$", "", formula)  # NIST writes the error term '+ e'


def load(path):
    """Read one NIST StRD nonlinear regression file.

    Parameters
    ----------
    path : str or path-like
        A ``.dat`` file as NIST distributes it; its stem names the problem and
        picks the model from :data:`MODELS`.

    Returns
    -------
    problem : NistProblem
        The data, starts and certified values. For Nelson, whose model is stated
        for log(y) (``log[y] = b1 - b2*x1 * exp[-b3*x2]``), ``problem.y`` is the
        natural log of the file's response, so that the certified values are
        those of a least-squares fit of ``problem.model`` to ``problem.y``.

    Raises
    ------
    ValueError
        If the file does not have the layout of NIST's files.
    """
    path = Path(path)
    name = path.stem
    lines = path.read_text(encoding="ascii").splitlines()

    rows = [m.group(2).split() for m in map(_PARAMETER_LINE.match, lines) if m]
    # Each parameter line: Start 1, Start 2, certified value, certified SD.
    if not rows or any(len(r) != 4 for r in rows):
        raise ValueError(f"{path}: expected lines 'bi = start1 start2 value sd'")
    table = np.array(rows, dtype=float)

    # The data follow the line 'Data:   y   x' (the header's 'Data:' line names the
    # response in words, e.g. 'Data: 1 Response (y)', and does not start with y).
    columns = next(
        i for i, line in enumerate(lines) if line.startswith("Data:") and line.split()[1:2] == ["y"]
    )
    data = np.loadtxt(lines[columns + 1 :], dtype=float, ndmin=2)
    n_observations = int(_header_value(lines, "Number of Observations"))
    if data.shape[0] != n_observations:
        raise ValueError(f"{path}: {data.shape[0]} rows of data, the header says {n_observations}")
    y = np.log(data[:, 0]) if name in LOG_RESPONSE else data[:, 0]

    difficulty = re.search(r"(Lower|Average|Higher) Level of Difficulty", "\n".join(lines))
    return NistProblem(
        name=name,
        model=MODELS[name],
        formula=_formula(lines),
        X=data[:, 1:],
        y=y,
        starts=(table[:, 0], table[:, 1]),
        certified=table[:, 2],
        certified_std=table[:, 3],
        certified_sse=_header_value(lines, "Residual Sum of Squares"),
        difficulty=difficulty.group(1),
    )


def load_all(directory):
    """Read the 27 problems from a folder of NIST's files, in NIST's order.

    Parameters
    ----------
    directory : str or path-like
        Folder holding ``<name>.dat`` for every name in :data:`MODELS`.

    Returns
    -------
    problems : list of NistProblem
        By level of difficulty (Lower, Average, Higher), then in NIST's order.
    """
    directory = Path(directory)
    return [load(directory / f"{name}.dat") for name in MODELS]


def log_relative_error(estimate, certified):
    """Digits of agreement with a certified value: ``-log10(|est - cert| / |cert|)``.

    Capped at :data:`CERTIFIED_DIGITS` (the digits NIST certifies); 0 where the
    estimate is not finite or agrees to less than one digit.

    Parameters
    ----------
    estimate : array-like
        Estimated values.
    certified : array-like
        Certified values, none zero.

    Returns
    -------
    lre : ndarray
        Log relative errors, in [0, 11].
    """
    estimate = np.asarray(estimate, dtype=float)
    certified = np.asarray(certified, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lre = -np.log10(np.abs(estimate - certified) / np.abs(certified))
    lre = np.where(np.isfinite(estimate), lre, 0.0)
    return np.clip(np.nan_to_num(lre, nan=0.0, posinf=CERTIFIED_DIGITS), 0.0, CERTIFIED_DIGITS)
