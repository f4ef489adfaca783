"""A delivered advisory to leak from, and small builders for leaked material.

The fixtures are re-exported by this directory's conftest.py; tests elsewhere (the CLI's)
import them from here.
"""

from __future__ import annotations

import html
import io
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from headstart.leaks.text import markdown_to_html


def accused(result: dict) -> list[str]:
    return [a["partner"] for a in result["accused"]]


def zip_bytes(members: dict[str, bytes], *, symlinks: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16)  # a symbolic link, as Info-ZIP stores one
            zf.writestr(info, target)
    return buf.getvalue()


def tar_bytes(members: dict[str, bytes], *, mode: str = "w:gz", extra: list[tarfile.TarInfo] | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for info in extra or []:
            tf.addfile(info)
    return buf.getvalue()


def forum_page(markdown: str, code: str = "") -> str:
    """A saved forum thread: navigation, a post with the write-up rendered, code in a <pre> block."""
    pre = f"<pre><code>{html.escape(code)}</code></pre>" if code else ""
    return ("<!DOCTYPE html><html><head><title>0day dump - Forum</title><style>body{font:12px Arial}</style>"
            "<script>var tracking = 1;</script></head><body><nav>Home | Forums | Exploits | Login</nav>"
            "<div class='post'><p class='author'>posted by n0name</p>"
            f"{markdown_to_html(markdown)}<p>and the poc:</p>{pre}</div>"
            "<footer>Powered by forum software</footer></body></html>")


# ---- a delivered advisory ---------------------------------------------------------------------

PARTNERS = ("Alpha AV", "Bravo IPS", "Charlie EDR", "Delta Labs", "Echo Security", "Foxtrot Defense")
STAFF = "psirt@vendor.example"


@dataclass
class Delivered:
    """The sample advisory as delivered to every partner; ``copy`` gives a partner's files, the
    bytes its download held (rendered again, which records nothing: a copy is a pure function)."""

    advisory: object
    partners: dict[str, object]
    out: Path
    _rendered: dict[str, dict[str, bytes]] = field(default_factory=dict)

    def copy(self, partner: str, file_name: str) -> bytes:
        from headstart.apps.audit.services import Actor
        from headstart.apps.delivery.services import render_package

        if partner not in self._rendered:
            package = render_package(self.advisory, self.partners[partner].partner,  # type: ignore[arg-type, attr-defined]
                                     actor=Actor(name=STAFF))
            self._rendered[partner] = {e.name: e.content for e in package.entries}
        return self._rendered[partner][file_name]

    def text(self, partner: str, file_name: str) -> str:
        return self.copy(partner, file_name).decode("utf-8")


@pytest.fixture
def delivered(make_keyed_partner, sample_advisory, tmp_path) -> Delivered:  # type: ignore[no-untyped-def]
    from headstart.apps.audit.services import Actor
    from headstart.apps.delivery.services import fetch_package

    partners = {name: make_keyed_partner(name) for name in PARTNERS}
    advisory = sample_advisory()
    for i, (name, keyed) in enumerate(partners.items()):
        fetch_package(keyed.analyst, advisory.ident,
                      actor=Actor(name=keyed.analyst.email, partner=name, ip=f"198.51.100.{i + 10}"))
    return Delivered(advisory, partners, tmp_path / "copies")


@pytest.fixture
def staff_actor():  # type: ignore[no-untyped-def]
    from headstart.apps.audit.services import Actor

    return Actor(name=STAFF, ip="192.0.2.1")


@pytest.fixture
def investigate_leak(staff_actor):  # type: ignore[no-untyped-def]
    """Run an investigation on (name, bytes or text) inputs; returns its result."""
    from headstart.apps.investigations.intake import Submission
    from headstart.apps.investigations.services import investigate

    def run(*inputs: tuple[str, bytes | str], **kwargs) -> dict:  # type: ignore[no-untyped-def]
        subs = [Submission(name, data.encode("utf-8") if isinstance(data, str) else data) for name, data in inputs]
        return investigate(subs, actor=staff_actor, **kwargs).result

    return run
