"""Rerun's newer `rerun.encodings` module name (formerly `rerun.datatypes`): the same types."""
from .datatypes import *  # noqa: F403
from .datatypes import __all__  # noqa: F401
