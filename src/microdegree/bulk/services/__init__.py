"""Bulk issuance (see `jobs`); the old module path re-exports it."""

from microdegree.bulk.services.jobs import *  # noqa: F403
