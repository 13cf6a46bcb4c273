"""A slow stand-in for an expensive calculator, for tests and benchmarks."""

import time

from ase.calculators.calculator import all_changes
from ase.calculators.emt import EMT


class DelayedEMT(EMT):
    """ASE's EMT that sleeps before each calculation: EMT energies at DFT-like cost.

    The delay is not a calculator parameter: it changes no energy, so it does not
    change the cache key either.

    Parameters
    ----------
    delay : float, default=0.01
        Sleep before each calculation, s.
    log : str or os.PathLike, default=None
        File to which a line is appended after each finished calculation.
    """

    def __init__(self, delay=0.01, log=None, **kwargs):
        super().__init__(**kwargs)
        self.delay = delay
        self.log = log
        self.calls = 0

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        time.sleep(self.delay)
        super().calculate(atoms, properties, system_changes)
        self.calls += 1
        if self.log is not None:
            with open(self.log, "a") as f:
                f.write("done\n")
