"""`rerun.any_value`: `AnyValues` under Rerun's module name."""
from .types.any_values import AnyBatchValue, AnyValues

__all__ = ["AnyBatchValue", "AnyValues"]
