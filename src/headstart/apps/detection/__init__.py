"""Detection content made from an advisory's trigger specifications (YARA rules)."""
