"""CSAF 2.0: each advisory as a security advisory document, for partners and for the public.

documents.py builds the two editions from what the advisory holds; feeds.py the provider
metadata and the ROLIE feed of the public editions; reads.py decides who gets which edition
(with access.py's rule) and writes partner-edition reads to the audit log.
"""
