"""ASE energies and geometries for scikit-learn; the public names live in :mod:`skphys.atoms`."""
