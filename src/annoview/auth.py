"""`rerun.auth` (logging in to Rerun's services) needs Rerun's own servers or services: every name
exists, so imports and type hints work, and using one raises one NotAvailableError line
(notices.py)."""
from .notices import unavailable_module

__getattr__, __dir__, __all__ = unavailable_module("rerun.auth", ('Credentials', 'get_credentials', 'init_login_flow', 'login', 'logout'))
