"""`rerun.urdf` (its URDF loader, built on Rerun's native code) is not available in annoview: every
name exists, so imports and type hints work, and using one raises one NotAvailableError line
(notices.py)."""
from .notices import unavailable_module

__getattr__, __dir__, __all__ = unavailable_module("rerun.urdf", ('UrdfJoint', 'UrdfLink', 'UrdfMimic', 'UrdfTree'))
