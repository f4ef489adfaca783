"""The TAXII 2.1 server (read-only): partners' STIX collections."""
