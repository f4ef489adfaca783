"""Readiness: partners test their own detection rules against their PoC copies, and say when they are ready."""
