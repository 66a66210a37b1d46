"""Where the gateway's data folders are: ``schemas/``, ``mappings/`` and ``samples/``.

In a source checkout (and an editable install) they sit at the top of the repository; in a wheel they
are packaged under ``gateway/_data/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from gateway.errors import ConfigurationError

__all__ = ["data_dir"]

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: Literal["schemas", "mappings", "samples"]) -> Path:
    """The folder holding the gateway's ``name`` data."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise ConfigurationError(f"the gateway's {name}/ data folder is missing from this installation")
