"""Leak investigations: intake, matching, attribution, the report, and the record kept of each."""
