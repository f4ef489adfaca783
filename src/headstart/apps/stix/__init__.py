"""STIX 2.1: each partner's bundle for an advisory, and the objects of its TAXII collection."""
