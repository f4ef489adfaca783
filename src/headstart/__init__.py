"""Headstart: a private vulnerability pre-disclosure program with individually marked copies.

Layers (each imports only the ones below it):

1. ``headstart.marking`` - codes, scores, rigorous p-values (pure, numpy).
2. ``headstart.carriers``, ``headstart.triggers``, ``headstart.leaks`` - slots in real
   artifacts, the trigger specification language, the leak-transform battery (pure).
3. ``headstart.apps`` - Django apps: the program's records and rules.
4. ``headstart.faces`` - the REST API, the web portal and the ``headstart`` CLI.
"""

__version__ = "0.1.0"
