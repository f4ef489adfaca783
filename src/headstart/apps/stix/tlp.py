"""The TLP 2.0 marking definitions, as the STIX 2.1 TLP 2.0 extension fixes them.

stix2 ships only the TLP 1.0 markings (TLP_WHITE ...). TLP 2.0 is a property extension
(extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d, published by OASIS in
cti-stix-common-objects, extension-definition-specifications/tlp-2.0): every producer uses the
same fixed objects below, so consumers recognise a marking by its id alone.
"""

from __future__ import annotations

import stix2

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

# name -> (marking-definition id, the extension's tlp_2_0 value)
_DEFINITIONS: dict[str, tuple[str, str]] = {
    "TLP:CLEAR": ("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "clear"),
    "TLP:GREEN": ("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "green"),
    "TLP:AMBER": ("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "amber"),
    "TLP:AMBER+STRICT": ("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "amber+strict"),
    "TLP:RED": ("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "red"),
}


def _definition(name: str) -> stix2.MarkingDefinition:
    marking_id, value = _DEFINITIONS[name]
    parsed = stix2.parse({
        "type": "marking-definition", "spec_version": "2.1", "id": marking_id,
        "created": "2022-10-01T00:00:00.000Z", "name": name,
        "extensions": {TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": value}},
    })
    assert isinstance(parsed, stix2.MarkingDefinition)
    return parsed


TLP_CLEAR = _definition("TLP:CLEAR")
TLP_GREEN = _definition("TLP:GREEN")
TLP_AMBER = _definition("TLP:AMBER")
TLP_AMBER_STRICT = _definition("TLP:AMBER+STRICT")
TLP_RED = _definition("TLP:RED")
