"""The units the command line reads, and their factors to eV, Å^3 and eV/Å^3.

The factors are :mod:`ase.units` constants, never bare numbers. A unit is looked
up by a normalised spelling (:func:`normalise_unit`), so that ``Å^3``, ``A3``,
``ang^3`` and ``angstrom**3`` are one unit.
"""

from ase import units

from ._errors import CommandError

# spelling (normalised) -> (display name, factor to eV per cell)
ENERGY_UNITS = {
    "ev": ("eV", 1.0),
    "ry": ("Ry", units.Ry),
    "rydberg": ("Ry", units.Ry),
    "ha": ("Ha", units.Hartree),
    "hartree": ("Ha", units.Hartree),
    # per mole of whatever the energies are given for (cell or formula unit):
    # divided by Avogadro's number, it is the energy of one of them
    "kj/mol": ("kJ/mol", units.kJ / units.mol),
    "kjmol": ("kJ/mol", units.kJ / units.mol),
    "kj/mole": ("kJ/mol", units.kJ / units.mol),
    "kjmol-1": ("kJ/mol", units.kJ / units.mol),
}

# spelling (normalised) -> (display name, factor to Å^3)
VOLUME_UNITS = {
    "a3": ("Å^3", 1.0),
    "bohr3": ("bohr^3", units.Bohr**3),
}

# spelling (normalised) -> (display name, factor to eV/Å^3)
PRESSURE_UNITS = {
    "gpa": ("GPa", units.GPa),
    "kbar": ("kbar", 1e3 * units.bar),
    "kb": ("kbar", 1e3 * units.bar),  # VASP's spelling
    "ev/a3": ("eV/Å^3", 1.0),
    "ev_a3": ("eV/Å^3", 1.0),  # pressure_eV_A3
    "ev/ang3": ("eV/Å^3", 1.0),
    "ev/angstrom3": ("eV/Å^3", 1.0),
}

UNITS = {"energy": ENERGY_UNITS, "volume": VOLUME_UNITS, "pressure": PRESSURE_UNITS}


def normalise_unit(text):
    """A unit's spelling reduced to the keys of :data:`UNITS`.

    Lower case, no spaces, brackets, ``^`` or ``**``; ``Å``, ``ang`` and
    ``angstrom`` become ``a``; a superscript 3 becomes 3.

    Parameters
    ----------
    text : str
        The unit as written, e.g. ``'Å^3'``, ``'(bohr^3)'``, ``'kJ/mol'``.

    Returns
    -------
    key : str
        E.g. ``'a3'``, ``'bohr3'``, ``'kj/mol'``.
    """
    key = text.strip().strip("()[]{}").strip().lower()
    for old, new in (("**", ""), ("^", ""), ("³", "3"), (" ", ""), ("å", "a")):
        key = key.replace(old, new)
    for spelling in ("angstrom", "ang"):
        if key.startswith(spelling):
            key = "a" + key[len(spelling) :]
    return key


def lookup_unit(quantity, text):
    """The display name and factor of a unit of ``quantity``, or ``None``.

    Parameters
    ----------
    quantity : {'energy', 'volume', 'pressure'}
        What the unit measures.
    text : str
        The unit as written.

    Returns
    -------
    unit : tuple of (str, float) or None
        Display name and factor to eV (energy), Å^3 (volume) or eV/Å^3
        (pressure); ``None`` when the spelling is not known.
    """
    return UNITS[quantity].get(normalise_unit(text))


def unit_from_option(quantity, text, option):
    """The unit an option names, else a :class:`CommandError` listing the choices.

    Parameters
    ----------
    quantity : {'energy', 'volume', 'pressure'}
        What the unit measures.
    text : str
        What the user typed.
    option : str
        The option's name, for the message.

    Returns
    -------
    unit : tuple of (str, float)
        Display name and factor to eV, Å^3 or eV/Å^3.
    """
    unit = lookup_unit(quantity, text)
    if unit is None:
        raise CommandError(
            f"{option} {text!r}: unknown {quantity} unit; use one of {supported(quantity)}"
        )
    return unit


def supported(quantity):
    """The display names of the units of ``quantity``, e.g. ``'eV, Ry, Ha, kJ/mol'``."""
    return ", ".join(dict.fromkeys(name for name, _ in UNITS[quantity].values()))
