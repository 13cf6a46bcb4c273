"""``skphys eos FILE``: fit an equation of state to energy-volume data.

The file is read by column name and converted to eV and Å^3
(:func:`~skphys.cli._eos_data.read_eos_data`); :func:`fit_curve` fits one form
to one curve and returns a plain record that the text and JSON outputs show.
"""

import json
import sys
from pathlib import Path

import numpy as np
from ase.units import GPa

from .._core._lack_of_fit import format_pvalue
from ..eos import FORMS as EOS_FORMS
from ..exceptions import FitFailedError
from ._eos_data import ENERGY_UNIT, VOLUME_UNIT, curve_n_atoms, read_eos_data
from ._eos_many import run_eos_many
from ._eos_pressure import check_pressures, pressure_report, print_pressure_report
from ._errors import CommandError
from ._notes import UNPHYSICAL_FIT_STATUS, collected_warnings, is_unphysical, one_line
from ._outputs import check_output_file
from ._units import supported


def add_eos_parser(sub):
    """Register the ``eos`` sub-command.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The sub-parsers of the ``skphys`` parser.
    """
    parser = sub.add_parser(
        "eos",
        help="fit an equation of state to energy-volume data",
        description=(
            "Fit an equation of state to a CSV or whitespace table whose header names "
            "the volume and energy columns (e.g. volume_A3,energy_eV or "
            "'V (bohr^3)','E (Ry)'), or to an ASE trajectory/extxyz file whose frames "
            "carry energies. Prints E0 (eV), V0 (Å^3), B (GPa) and BP with intervals, "
            "and per atom when the number of atoms is known. Exit status: 0 success, "
            "2 bad input or unwritable output, 3 a fit that ended at unphysical "
            "parameters or did not converge (its numbers are still printed)."
        ),
    )
    parser.add_argument("file", help="table with a header, or ASE trajectory/extxyz file")
    parser.add_argument(
        "--eos",
        choices=[*EOS_FORMS, "all"],
        default="murnaghan",
        help="form; 'all' fits every form and reports their AICc weights, spread and the "
        "model-averaged parameters",
    )
    parser.add_argument(
        "--columns",
        metavar="NAMES",
        help="comma-separated column names in file order, e.g. volume,energy or "
        "V_bohr3,E_Ry; replaces the file's header (required if it has none)",
    )
    parser.add_argument(
        "--volume-unit",
        metavar="UNIT",
        help=f"unit of the volumes, overriding the header ({supported('volume')})",
    )
    parser.add_argument(
        "--energy-unit",
        metavar="UNIT",
        help=f"unit of the energies, overriding the header ({supported('energy')})",
    )
    parser.add_argument(
        "--pressure",
        action="store_true",
        help="fit the pressure column (P = -dE/dV, positive under compression; named "
        "pressure or P with its unit: pressure_GPa, 'P (kbar)', pressure_eV_A3) with the "
        "energies, each weighted by its residual scatter; pressures that disagree with "
        "the energies in sign or by a factor are refused",
    )
    parser.add_argument(
        "--pressure-unit",
        metavar="UNIT",
        help=f"unit of the pressures, overriding the header ({supported('pressure')})",
    )
    parser.add_argument(
        "--n-atoms",
        type=int,
        metavar="N",
        help="atoms per cell, to report E0 and V0 per atom too (or an n_atoms column)",
    )
    parser.add_argument(
        "--alpha", type=float, default=0.05, help="1 - coverage of the intervals (0.05: 95%%)"
    )
    parser.add_argument(
        "--group-by",
        metavar="COLUMNS",
        help="comma-separated column(s) naming the curve in a long table: every curve "
        "is fitted (skphys.eos.fit_many) and a table of fits is printed as CSV",
    )
    parser.add_argument("--plot", metavar="PNG", help="save a plot of the fit to this file")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(func=run_eos)


def make_estimator(form):
    """A new, unfitted regressor of the form named ``form``."""
    return EOS_FORMS[form]()


def fit_report(eos, alpha):
    """The fitted quantities with standard errors and intervals, in display units.

    Parameters
    ----------
    eos : BaseEOSRegressor
        A fitted equation of state.
    alpha : float
        One minus the coverage of the intervals.

    Returns
    -------
    report : dict
        ``{name: {"value", "stderr", "interval", "unit"}}`` for E0 (eV), V0 (Å^3),
        B (GPa) and BP (dimensionless).
    """
    intervals = eos.confidence_intervals(alpha)
    index = {name: i for i, name in enumerate(eos.param_names_)}
    scale = {"E0": 1.0, "V0": 1.0, "B0": 1.0 / GPa, "BP": 1.0}
    shown = {"E0": ("E0", "eV"), "V0": ("V0", "Å^3"), "B0": ("B", "GPa"), "BP": ("BP", "")}
    report = {}
    for name in ("E0", "V0", "B0", "BP"):
        i, factor = index[name], scale[name]
        label, unit = shown[name]
        report[label] = _entry(eos.params_[i], eos.perr_[i], intervals[i], factor, unit)
    return report


def per_atom_report(report, n_atoms):
    """E0 (eV/atom) and V0 (Å^3/atom) of a cell of ``n_atoms`` atoms.

    B and BP are intensive and not repeated.

    Parameters
    ----------
    report : dict
        :func:`fit_report` of the cell.
    n_atoms : int
        Atoms per cell.

    Returns
    -------
    per_atom : dict
        ``{"n_atoms": n_atoms, "E0": {...}, "V0": {...}}``.
    """
    per_atom = {"n_atoms": n_atoms}
    for label in ("E0", "V0"):
        entry = report[label]
        per_atom[label] = _entry(
            entry["value"], entry["stderr"], entry["interval"], 1.0 / n_atoms,
            f"{entry['unit']}/atom",
        )  # fmt: skip
    return per_atom


def lack_of_fit_report(lof):
    """The test of the residuals for lack of fit, as plain numbers.

    Parameters
    ----------
    lof : LackOfFit
        ``lack_of_fit_`` of a fitted equation of state.

    Returns
    -------
    report : dict
        ``rms_eV``, ``relative_rms`` (over the standard deviation of the
        energies), ``n_runs``, ``expected_runs``, ``pvalue`` (Durbin-Watson;
        ``None`` when not tested), ``structured`` (bool) and ``untested_reason``.
    """
    return {
        "rms_eV": lof.rms, "relative_rms": lof.relative_rms, "n_runs": lof.n_runs,
        "expected_runs": lof.expected_runs,
        "pvalue": None if np.isnan(lof.pvalue) else lof.pvalue,
        "structured": lof.structured, "untested_reason": lof.untested_reason,
    }  # fmt: skip


def _entry(value, stderr, interval, factor, unit):
    return {
        "value": float(value * factor),
        "stderr": float(stderr * factor),
        "interval": [float(v * factor) for v in interval],
        "unit": unit,
    }


def fit_curve(volumes, energies, form, alpha, label, pressures=None):
    """Fit one form to one curve, keeping its warnings as notes.

    Parameters
    ----------
    volumes : ndarray of shape (n,)
        Volumes, Å^3.
    energies : ndarray of shape (n,)
        Energies, eV (NaN where a point has only a pressure).
    form : str
        A key of :data:`EOS_FORMS`.
    alpha : float
        One minus the coverage of the intervals.
    label : str
        The curve (file name), for messages.
    pressures : ndarray of shape (n,), default=None
        Pressures ``-dE/dV``, eV/Å^3 (NaN where missing), fitted with the
        energies (``fit(V, E, y_grad=-P)``).

    Returns
    -------
    eos : BaseEOSRegressor
        The fitted regressor.
    record : dict
        ``eos``, ``n_points``, ``parameters`` (:func:`fit_report`), ``sse_eV2``
        (energies only), ``lack_of_fit`` (:func:`lack_of_fit_report`),
        ``warnings`` (list of ``{"category", "message"}``) and ``status`` ('ok'
        or 'unphysical': structured residuals leave it 'ok').
    """
    n_params = len(EOS_FORMS[form].physical_model.names)
    has_e = ~np.isnan(energies)
    n_observed = np.count_nonzero(has_e) + (
        0 if pressures is None else np.count_nonzero(~np.isnan(pressures)))  # fmt: skip
    if n_observed <= n_params:
        raise CommandError(
            f"{label}: {n_observed} {'points' if pressures is None else 'energies and pressures'}"
            f"; an equation of state with {n_params} parameters needs at least {n_params + 1}"
        )
    if np.any(volumes <= 0):
        raise CommandError(f"{label}: volumes must be positive")
    X = volumes.reshape(-1, 1)
    derivatives = {} if pressures is None else {"y_grad": -pressures}  # dE/dV
    # the report's intervals and predictions may warn too (infinite errors)
    with collected_warnings() as notes:
        eos = make_estimator(form).fit(X, energies, **derivatives)
        record = {
            "eos": form,
            "n_points": int(volumes.size),
            "parameters": fit_report(eos, alpha),
            "sse_eV2": float(np.sum((eos.predict(X[has_e]) - energies[has_e]) ** 2)),
            "lack_of_fit": lack_of_fit_report(eos.lack_of_fit_),
            "converged": bool(eos.converged_),
        }
    record["warnings"] = notes
    record["status"] = "unphysical" if is_unphysical(notes, eos) else "ok"
    return eos, record


def run_eos(args):
    """Run ``skphys eos``.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments.

    Returns
    -------
    status : int
        0 on success; 3 when the fit ended at unphysical parameters or did not
        converge (the numbers are printed all the same); 2 when the plot cannot be
        written (after the numbers).
    """
    if not 0 < args.alpha < 1:
        raise CommandError(f"--alpha must lie in (0, 1), got {args.alpha}")
    check_output_file(args.plot, "--plot")
    _check_plot_format(args.plot)
    if (args.group_by or args.eos == "all") and args.plot:
        raise CommandError("--plot draws one fit; it does not combine with --group-by or --eos all")
    if args.pressure and args.eos == "all":
        raise CommandError("--eos all compares the forms on the energies; it does not fit "
                           "--pressure")  # fmt: skip
    data = read_eos_data(
        args.file, columns=args.columns, volume_unit=args.volume_unit,
        energy_unit=args.energy_unit, n_atoms=args.n_atoms, pressure=args.pressure,
        pressure_unit=args.pressure_unit,
    )  # fmt: skip
    if args.group_by or args.eos == "all":
        return run_eos_many(args, data)
    n_atoms = curve_n_atoms(data.n_atoms, args.file)
    if data.pressures is not None:
        check_pressures(data.volumes, data.energies, data.pressures, data.source["pressure"],
                        args.file)  # fmt: skip
    try:
        eos, record = fit_curve(data.volumes, data.energies, args.eos, args.alpha, args.file,
                                pressures=data.pressures)  # fmt: skip
    except FitFailedError as exc:
        print(f"skphys eos: the fit failed: {exc}", file=sys.stderr)
        return UNPHYSICAL_FIT_STATUS
    if data.pressures is not None:
        record["pressure"] = pressure_report(eos, data.pressures, data.source["pressure"])
    if n_atoms is not None:
        record["per_atom"] = per_atom_report(record["parameters"], n_atoms)
    record = {
        "file": str(args.file), **record, "confidence": 1 - args.alpha,
        "input": data.source, "notes": data.notes, "plot": args.plot,
    }  # fmt: skip
    if args.json:
        print(json.dumps(record, indent=2))
    else:
        print_record(record, args.alpha)
    sys.stdout.flush()  # the results before any note or error on standard error
    status = 0
    if record["status"] == "unphysical":
        print(
            "skphys eos: the fit ended at unphysical parameters or did not converge: "
            f"check its numbers (exit status {UNPHYSICAL_FIT_STATUS})",
            file=sys.stderr,
        )
        status = UNPHYSICAL_FIT_STATUS
    if args.plot:
        try:
            with collected_warnings() as plot_notes:
                has_e = ~np.isnan(data.energies)  # the energies; pressures are not drawn
                _save_plot(eos, data.volumes[has_e].reshape(-1, 1), data.energies[has_e],
                           args.plot)  # fmt: skip
        except (OSError, ValueError) as exc:
            print(f"skphys eos: error: --plot {args.plot}: {exc}", file=sys.stderr)
            return 2
        for note in plot_notes:  # after the results: on standard error, as notes
            print(f"skphys eos: plot: {one_line(note)}", file=sys.stderr)
        if not args.json:
            print(f"  plot written to {args.plot}")
    return status


def print_record(record, alpha):
    """Print a :func:`fit_curve` record as text.

    Parameters
    ----------
    record : dict
        The record, with the ``file``, ``input`` and ``notes`` of the command.
    alpha : float
        One minus the coverage of the intervals.
    """
    level = f"{100 * (1 - alpha):g}%"
    print(
        f"{record['eos']} equation of state fitted to {record['file']} "
        f"({record['n_points']} points)"
    )
    read = [f"{quantity} {_read_from(source)}" for quantity, source in record["input"].items()]
    print(f"  read: {', '.join(read)}; shown in {ENERGY_UNIT} and {VOLUME_UNIT}")
    for label, entry in record["parameters"].items():
        low, high = entry["interval"]
        print(
            f"  {label:<3}= {entry['value']:<14.8g} ± {entry['stderr']:<10.3g} "
            f"{level} interval [{low:.8g}, {high:.8g}] {entry['unit']}"
        )
    print(f"  SSE = {record['sse_eV2']:.4g} eV^2")
    lof = record["lack_of_fit"]
    if lof["structured"]:
        print(
            f"  caveat: structured residuals (Durbin-Watson {format_pvalue(lof['pvalue'])}, "
            f"RMS {lof['rms_eV']:.3g} eV): model error, not noise;\n"
            "          the intervals above assume independent noise and understate the "
            "uncertainty"
        )
    if "pressure" in record:
        print_pressure_report(record["pressure"])
    if "per_atom" in record:
        per_atom = record["per_atom"]
        print(f"  per atom ({per_atom['n_atoms']} atoms per cell):")
        for label in ("E0", "V0"):
            entry = per_atom[label]
            print(
                f"    {label:<3}= {entry['value']:<14.8g} ± {entry['stderr']:<10.3g} "
                f"{entry['unit']}"
            )
    for note in record["notes"]:
        print(f"  note: {note}")
    for warning in record["warnings"]:
        print(f"  warning: {one_line(warning)}")


def _read_from(source):
    if source["column"] is None:
        return f"in {source['unit']}"
    return f"from column {source['column']!r} in {source['unit']}"


def _check_plot_format(path):
    """Fail before the fit when matplotlib cannot write the plot's file type."""
    if path is None:
        return
    from matplotlib.figure import Figure

    formats = Figure().canvas.get_supported_filetypes()
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in formats:
        raise CommandError(
            f"--plot {path}: matplotlib writes no {suffix or 'suffix-less'!r} files; "
            f"end the name with one of {', '.join('.' + f for f in sorted(formats))}"
        )


def _save_plot(eos, X, y, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plotting import EOSDisplay

    display = EOSDisplay.from_estimator(eos, X, y)
    try:
        display.figure_.savefig(path, dpi=100)
    finally:
        plt.close(display.figure_)
