"""Inter-coder agreement: pure statistics (see :mod:`bctcoder.agreement.statistics`)."""

from bctcoder.agreement.statistics import *  # noqa: F401,F403
from bctcoder.agreement.statistics import __all__  # noqa: F401
