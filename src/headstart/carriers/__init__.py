"""Carriers: find slots in an artifact, render a partner's copy from a codeword, read leaks back.

Pure library (no Django). Each carrier implements headstart.carriers.base.Carrier.
"""

from headstart.carriers.base import (
                                     ERASED,
                                     Carrier,
                                     CarrierError,
                                     NoSlotsError,
                                     Reading,
                                     RenderError,
                                     Slot,
                                     UnreadableLeakError,
                                     decode_leak,
)
from headstart.carriers.registry import carrier_family, carrier_for

__all__ = ["ERASED", "Carrier", "CarrierError", "NoSlotsError", "Reading", "RenderError", "Slot",
           "UnreadableLeakError", "carrier_family", "carrier_for", "decode_leak"]
