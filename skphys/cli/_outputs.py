"""Checks, before anything is computed, that a command can write its outputs.

A command that computes for minutes and then cannot write its result wastes the
minutes: every sub-command calls these first, for every output option.
"""

import os
from pathlib import Path

from ._errors import CommandError


def check_output_file(path, option):
    """Fail unless ``path`` can be created or overwritten as a file.

    Parameters
    ----------
    path : str or None
        The file an option names; ``None`` and ``'-'`` (standard output) pass.
    option : str
        The option, for the message (``'--out'``).
    """
    if path is None or path == "-":
        return
    target = Path(path)
    if target.is_dir():
        raise CommandError(f"{option} {path}: is a folder, not a file")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise CommandError(f"{option} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CommandError(f"{option} {path}: the folder {folder} is not writable")
    if target.exists() and not os.access(target, os.W_OK):
        raise CommandError(f"{option} {path}: the file is not writable")


def check_output_folder(path, option):
    """Fail unless ``path`` is, or can be created as, a writable folder.

    Parameters
    ----------
    path : str
        The folder an option names (created with its parents if missing).
    option : str
        The option, for the message.
    """
    target = Path(path).absolute()
    if target.exists() and not target.is_dir():
        raise CommandError(f"{option} {path}: is a file, not a folder")
    existing = target
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise CommandError(f"{option} {path}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CommandError(f"{option} {path}: the folder {existing} is not writable")
