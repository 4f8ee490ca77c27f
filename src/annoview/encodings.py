"""Rerun's newer `rerun.encodings` module name (formerly `rerun.datatypes`): the same types."""
from .datatypes import AnnotationInfo, ClassDescription, ClassDescriptionMapElem, KeypointPair

__all__ = ["AnnotationInfo", "ClassDescription", "ClassDescriptionMapElem", "KeypointPair"]
