"""The learner side (see `accounts`); the old module path re-exports it."""

from microdegree.records.services.accounts import *  # noqa: F403
from microdegree.records.services.accounts import RecordError  # noqa: F401
