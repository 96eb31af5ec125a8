"""Awarding, revoking, suspending (see `awarding`); the old module path re-exports it."""

from microdegree.issuing.services.awarding import *  # noqa: F403
