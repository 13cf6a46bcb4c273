"""``skphys demo``: the main job, from ASE energies to cross-validated models."""

import re
import tempfile
import time
import warnings
from pathlib import Path

from sklearn.model_selection import KFold, cross_val_score

from .._models._eos import MurnaghanRegressor
from .._models._pair import BuckinghamRegressor
from ..datasets import load_murnaghan_example, make_dimer_dataset
from ._outputs import check_output_file, check_output_folder


def add_demo_parser(sub):
    """Register the ``demo`` sub-command.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The sub-parsers of the ``skphys`` parser.
    """
    parser = sub.add_parser(
        "demo",
        help="run the main demonstration",
        description=(
            "Compute 300 Cu2 EMT energies (cached in an ASE database), fit the "
            "Buckingham potential and a tanh network with 5-fold cross-validation, "
            "fit the Murnaghan equation of state of the bundled DFT table, print a "
            "report and write the plots."
        ),
    )
    parser.add_argument("--out", default="skphys-demo", help="folder for the plots")
    parser.add_argument(
        "--cache", metavar="DB", help="ASE database of the energies (default: a temporary one)"
    )
    parser.add_argument("--jobs", type=int, default=None, help="parallel calculator calls")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(func=run_demo)


def _models():
    from .. import TanhMLPRegressor

    return {
        "Buckingham": BuckinghamRegressor(),
        "tanh network [1, 10, 1]": TanhMLPRegressor(hidden_layer_sizes=(10,), random_state=0),
    }


def run_demo(args):
    """Run ``skphys demo``.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments.

    Returns
    -------
    status : int
        0 on success.
    """
    # before any energy is computed: a bad path would waste them all
    check_output_folder(args.out, "--out")
    check_output_file(args.cache, "--cache")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        cache = args.cache or str(Path(scratch) / "cu2_emt.db")
        X, y = make_dimer_dataset(
            "Cu2", 300, random_state=0, cache=cache, n_jobs=args.jobs,
            progress=not args.no_progress,
        )  # fmt: skip
    print("Cu2 dimer, EMT: 300 energies (eV, zero at 10 Å) at separations 1.7-3.0 Å\n")

    cv = KFold(5, shuffle=True, random_state=0)
    fitted = {}
    print(f"{'model':<26} {'5-fold CV RMSE (meV)':>22}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name, model in _models().items():
            scores = cross_val_score(model, X, y, cv=cv, scoring="neg_root_mean_squared_error")
            print(f"{name:<26} {-1000 * scores.mean():>14.2f} ± {1000 * scores.std():.2f}")
            fitted[name] = model.fit(X, y)
    _print_notes(caught)
    print()
    print(fitted["Buckingham"].summary())

    X_eos, y_eos = load_murnaghan_example(return_X_y=True)
    eos = MurnaghanRegressor().fit(X_eos, y_eos)
    print()
    print(eos.summary())
    print(
        f"B0 = {eos.bulk_modulus_gpa_:.4f} ± {eos.bulk_modulus_gpa_err_:.4f} GPa, "
        f"V0 = {eos.v0_:.3f} Å^3"
    )

    written = _plots(out, X, y, fitted, eos, X_eos, y_eos)
    print(f"\nplots written to {out}/: {', '.join(written)}")
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


def _print_notes(caught):
    """What the models warned about during cross-validation, each message once."""
    seen = {}
    for w in caught:
        text = str(w.message)
        # the same message about other numbers (another fold) is said once
        seen.setdefault((w.category.__name__, re.sub(r"[-+.\deE]+", "#", text)), text)
    for (category, _), text in seen.items():
        print(f"  note ({category}): {text}")


def _plots(out, X, y, fitted, eos, X_eos, y_eos):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..exceptions import ExtrapolationWarning
    from ..plotting import EOSDisplay, FitDisplay, ParityDisplay

    written = []
    for name, model in fitted.items():
        slug = name.split()[0].lower()
        fig, (ax_fit, ax_parity) = plt.subplots(1, 2, figsize=(10, 4))
        with warnings.catch_warnings():
            # drawn beyond the data on purpose: the shaded region shows it
            warnings.simplefilter("ignore", ExtrapolationWarning)
            FitDisplay.from_estimator(
                model, X, y, x_range=(1.5, 3.5), xlabel="distance (Å)",
                ylabel="energy (eV)", ax=ax_fit,
            )  # fmt: skip
        ax_fit.set_title(f"Cu2 EMT: {name}")
        ParityDisplay.from_estimator(model, X, y, unit="eV", ax=ax_parity)
        fig.tight_layout()
        fig.savefig(out / f"cu2_{slug}.png", dpi=100)
        plt.close(fig)
        written.append(f"cu2_{slug}.png")
    display = EOSDisplay.from_estimator(eos, X_eos, y_eos)
    display.figure_.savefig(out / "murnaghan_eos.png", dpi=100)
    plt.close(display.figure_)
    written.append("murnaghan_eos.png")
    return written


__all__ = ["add_demo_parser", "run_demo"]
