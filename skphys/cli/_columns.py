"""Which column of a table holds the volume, the energy, the pressure and the number of atoms.

A column is recognised by its header name: a name of the quantity (``volume``,
``V``, ``vol``; ``energy``, ``E``, ``etot``; ``pressure``, ``P``; ``n_atoms``,
``natoms``), then, optionally, its unit after ``_``, ``/``, a space or in
brackets: ``volume_A3``, ``volume (bohr^3)``, ``E/Ry``, ``energy [kJ/mol]``,
``P (GPa)``, ``pressure_eV_A3``. Matching is case-insensitive.
Nothing is inferred from the order of the columns or from their values: a
``distance_A,energy_eV`` table has no volume column and is refused.
"""

from dataclasses import dataclass

from ._errors import CommandError
from ._units import lookup_unit, supported

# names of each quantity, without unit, lower case
QUANTITY_NAMES = {
    "volume": ("volume", "vol", "v", "cell_volume", "cell volume", "v_cell"),
    "energy": ("energy", "e", "etot", "e_tot", "total_energy", "total energy", "e_total"),
    "pressure": ("pressure", "p", "press"),
    "n_atoms": ("n_atoms", "natoms", "n_atom", "num_atoms", "number_of_atoms", "nat"),
}
# what may separate a quantity's name from its unit
_SEPARATORS = "_/ ([-"


@dataclass(frozen=True)
class ColumnName:
    """What a header name says about its column.

    Attributes
    ----------
    index : int
        Position of the column, from 0.
    name : str
        The name as written.
    quantity : str
        'volume', 'energy', 'pressure' or 'n_atoms'.
    unit_text : str
        The unit as written after the quantity's name; '' when none.
    """

    index: int
    name: str
    quantity: str
    unit_text: str


def parse_column_name(index, name):
    """The quantity (and unit as written) a header name names, or ``None``.

    Parameters
    ----------
    index : int
        Position of the column.
    name : str
        The header name, e.g. ``'volume (A^3)'``.

    Returns
    -------
    column : ColumnName or None
        ``None`` when the name starts with no known quantity name.
    """
    text = name.strip().strip("\"'").strip()
    lower = text.lower()
    # longest names first, so that 'energy' is not read as 'e' + 'nergy'
    candidates = sorted(
        ((alias, quantity) for quantity, aliases in QUANTITY_NAMES.items() for alias in aliases),
        key=lambda pair: -len(pair[0]),
    )
    for alias, quantity in candidates:
        if lower == alias:
            return ColumnName(index, text, quantity, "")
        if lower.startswith(alias) and lower[len(alias)] in _SEPARATORS:
            unit_text = text[len(alias) :].strip().lstrip("_/-").strip()
            return ColumnName(index, text, quantity, unit_text)
    return None


def find_column(names, quantity, *, unit_given=False):
    """The one column of ``quantity`` in a header, or ``None`` when it has none.

    A column whose unit is not one :mod:`skphys.cli._units` knows counts only when
    no other column of the quantity has a known unit (``energy_eV`` beside
    ``energy_per_atom`` picks ``energy_eV``); it is then an error, unless the unit
    comes from an option (``unit_given``).

    Parameters
    ----------
    names : list of str
        The header.
    quantity : {'volume', 'energy', 'pressure', 'n_atoms'}
        What to find.
    unit_given : bool, default=False
        Whether an option states the unit, so that the header's does not matter.

    Returns
    -------
    column : ColumnName or None
        The column.
    """
    found = [parse_column_name(i, name) for i, name in enumerate(names)]
    found = [c for c in found if c is not None and c.quantity == quantity]
    if quantity == "n_atoms":
        clean = [c for c in found if not c.unit_text]
    else:
        clean = [c for c in found if not c.unit_text or lookup_unit(quantity, c.unit_text)]
    if len(clean) > 1:
        raise CommandError(
            f"the header names {len(clean)} {quantity} columns "
            f"({', '.join(repr(c.name) for c in clean)}); keep one, or name the "
            "columns with --columns"
        )
    if clean:
        return clean[0]
    if len(found) == 1 and unit_given:
        return found[0]
    if found:
        units = supported(quantity) if quantity != "n_atoms" else "none"
        raise CommandError(
            f"column {found[0].name!r}: unknown {quantity} unit {found[0].unit_text!r}; "
            f"use one of {units} (or state it with --{quantity}-unit)"
        )
    return None
