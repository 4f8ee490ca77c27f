"""Rerun's `rerun.datatypes` names that scripts import annotation types from."""
from .types.annotation import AnnotationInfo, ClassDescription

ClassDescriptionMapElem = ClassDescription
KeypointPair = tuple

__all__ = ["AnnotationInfo", "ClassDescription", "ClassDescriptionMapElem", "KeypointPair"]
