"""The standard-format documents in a partner's package: its YARA rules (and Suricata rules when a
PoC is network traffic), the CSAF partner edition and its STIX 2.1 bundle.

They are not copies. Each is generated from the advisory's records and the artifacts the
partner's tier is entitled to, the same for every partner of that entitlement; nothing in them is
marked, and no artifact's text goes in. So they never become Copy or Delivery rows and take no
part in leak matching; the manifest lists them as documents, each with its kind and digest.

Every document is a pure function of the records (uuid5 identifiers, dates from the advisory and
the program), so a package is byte-for-byte the same when rendered again, and a package's content
key holds each document's digest: what changes a document changes the key, nothing else does.

Delivery builds on detection, csaf and stix (none of them imports delivery); the TAXII
collections (headstart.apps.taxii), which read delivery's commitments, sit above all of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from headstart.apps.advisories.models import Advisory, Artifact
from headstart.apps.csaf.documents import PARTNER, build, dumps, filename
from headstart.apps.delivery.package import PackageEntry
from headstart.apps.detection import suricata
from headstart.apps.detection.rules import generate, rules_file
from headstart.apps.program.models import Program
from headstart.apps.stix.bundles import partner_bundle
from headstart.errors import Conflict

YARA_RULES = "yara-rules"
SURICATA_RULES = "suricata-rules"
CSAF_DOCUMENT = "csaf"
STIX_BUNDLE = "stix-bundle"
# What the manifest says each kind of document is.
DOCUMENT_KINDS = {
    YARA_RULES: "YARA rules generated from the trigger specifications: each matches every partner's copy of its "
                "binary PoC (the same file as GET /api/v1/advisories/{id}/rules)",
    SURICATA_RULES: "Suricata rules generated from the trigger specifications: each alerts on every partner's copy "
                    "of its network PoC (the same file as GET /api/v1/advisories/{id}/rules?engine=suricata)",
    CSAF_DOCUMENT: "CSAF 2.0 security advisory, partner edition (TLP:AMBER)",
    STIX_BUNDLE: "STIX 2.1 bundle: the vulnerability and the YARA rules as indicators, marked TLP:AMBER+STRICT",
}


def rules_path(advisory: Advisory) -> str:
    return f"detection/{advisory.ident}.yar"


def suricata_rules_path(advisory: Advisory) -> str:
    return f"detection/{advisory.ident}.rules"


def csaf_path(advisory: Advisory) -> str:
    """csaf/ and the file name CSAF 2.0 section 5.1 derives from the tracking id."""
    return f"csaf/{filename(advisory)}"


STIX_PATH = "stix/bundle.json"


def package_documents(advisory: Advisory, entitled: Sequence[Artifact], current: Sequence[Artifact]
                      ) -> list[PackageEntry]:
    """The documents for a partner whose tier is entitled to ``entitled`` (those of the advisory's
    ``current`` artifacts that are of the tier's kinds), in a fixed order.

    - The YARA rules of the binary PoCs among them, exactly as the rules API serves them to that
      partner; none when the tier gets no binary PoC.
    - The Suricata rules of those binary PoCs that are network captures, likewise.
    - The CSAF partner edition; none when the advisory cannot be a CSAF document (it names no
      affected product), which does not hold the package back.
    - The STIX bundle as released under embargo: the same bytes before and after the patch time,
      as the CSAF partner edition is (the API serves the current marking)."""
    entries: list[PackageEntry] = []
    rules, gaps = generate(advisory, entitled, current=current)
    if rules or gaps:
        entries.append(PackageEntry(rules_path(advisory), YARA_RULES, rules_file(advisory, rules, gaps).encode(),
                                    document=DOCUMENT_KINDS[YARA_RULES]))
    network, network_gaps = suricata.generate(advisory, entitled, current=current)
    if network or network_gaps:
        entries.append(PackageEntry(suricata_rules_path(advisory), SURICATA_RULES,
                                    suricata.rules_file(advisory, network, network_gaps).encode(),
                                    document=DOCUMENT_KINDS[SURICATA_RULES]))
    try:
        csaf = build(advisory, PARTNER)
    except Conflict:
        pass
    else:
        entries.append(PackageEntry(csaf_path(advisory), CSAF_DOCUMENT, dumps(csaf),
                                    document=DOCUMENT_KINDS[CSAF_DOCUMENT]))
    bundle = partner_bundle(advisory, entitled, program=Program.get(), rules=rules)
    entries.append(PackageEntry(STIX_PATH, STIX_BUNDLE, bundle.encode(),
                                document=DOCUMENT_KINDS[STIX_BUNDLE]))
    return entries
