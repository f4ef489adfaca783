"""Fixtures for investigations: the sample advisory delivered to six partners (see investigation_helpers)."""

from investigation_helpers import delivered, investigate_leak, staff_actor  # noqa: F401
