"""`rerun.any_batch_value`: `AnyBatchValue` under Rerun's module name."""
from .types.any_values import AnyBatchValue

__all__ = ["AnyBatchValue"]
