"""Pickled estimators remember the skphys version that saved them.

Models load across patch releases (0.1.0 -> 0.1.1): the fitted state of an
estimator does not change within a minor series. A model saved by another minor
or major release is refused with a message naming both versions, rather than
loaded into an estimator whose code may read its state differently.
"""

from .. import _version
from ..exceptions import IncompatibleVersionError


def _series(version):
    major, minor, *_ = (version.split("+")[0].split(".") + ["0", "0"])[:3]
    return major, minor


class VersionedStateMixin:
    """Adds ``_skphys_version`` to the pickled state and checks it on loading."""

    def __getstate__(self):
        state = super().__getstate__()
        state["_skphys_version"] = _version.__version__
        return state

    def __setstate__(self, state):
        saved = state.pop("_skphys_version", None)
        if saved is not None and _series(saved) != _series(_version.__version__):
            raise IncompatibleVersionError(
                f"this {type(self).__name__} was saved with skphys {saved} and cannot be "
                f"loaded with skphys {_version.__version__}: models load across patch "
                f"releases of one minor series only. Refit it, or load it with skphys "
                f"{'.'.join(_series(saved))}.x."
            )
        super().__setstate__(state)
