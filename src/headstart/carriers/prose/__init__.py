"""The prose carrier: Markdown write-ups, detection guidance and rendered procedures.

Slots are meaning-preserving choices outside code, identifiers, numbers that matter
and quoted strings (see docs/prose-carrier.md); reading aligns a leak's tokens with the
original's and erases whatever it cannot place with certainty.
"""

from headstart.carriers.prose.carrier import ProseCarrier

__all__ = ["ProseCarrier"]
