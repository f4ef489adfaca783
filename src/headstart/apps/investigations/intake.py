"""Leaked material in, pieces out: files, pasted text, forum pages and archives, unpacked safely.

Everything happens in memory: an archive is never extracted to disk, so a hostile member
name cannot write anywhere. Archives are refused, with an error naming the problem, when
a member has an absolute path, a '..' component, is a link or a device, or when they
exceed the limits (member count, total and per-member size, compression ratio, nesting);
members are read one at a time, each checked against the limits before and while it is read.

Memory stays bounded by the text analysed at once, not by the material: a text longer than
max_text_bytes (a forum dump, a long log) is read in parts of at most that size, cut at
paragraph or line breaks, each a view of the input's bytes (no copy), analysed one after
the other; such a page is not parsed as HTML (its parse tree would be many times its size).

A *piece* is one thing a carrier may read: a file as given, an archive member, the visible
text of an HTML page, or one code block of that page (so code survives the page's layout).
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import posixpath
import re
import stat
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from typing import Literal

from bs4 import BeautifulSoup
from django.conf import settings

from headstart.carriers import UnreadableLeakError, decode_leak
from headstart.errors import Invalid

MB = 1024 * 1024


class IntakeError(Invalid):
    """Leaked material Headstart refuses to take in (an archive bomb, path traversal, ...)."""


@dataclass(frozen=True)
class IntakeLimits:
    """Limits against archive bombs; every one configurable (HEADSTART_INTAKE_* settings)."""

    max_total_bytes: int = 200 * MB  # everything unpacked, all inputs together
    max_member_bytes: int = 50 * MB  # one archive member
    max_members: int = 2000  # members of all archives together
    max_ratio: int = 100  # uncompressed / compressed, checked once an archive passes 1 MB
    max_depth: int = 2  # archives inside archives: at most this many layers
    max_text_bytes: int = 4 * MB  # text analysed at once: a longer one is read in parts this large

    @classmethod
    def from_settings(cls) -> IntakeLimits:
        """The limits configured for this program (HEADSTART_INTAKE_* settings)."""
        limits = cls(max_total_bytes=settings.HEADSTART_INTAKE_MAX_BYTES,
                     max_member_bytes=settings.HEADSTART_INTAKE_MAX_MEMBER_BYTES,
                     max_members=settings.HEADSTART_INTAKE_MAX_MEMBERS,
                     max_ratio=settings.HEADSTART_INTAKE_MAX_RATIO,
                     max_depth=settings.HEADSTART_INTAKE_MAX_DEPTH,
                     max_text_bytes=settings.HEADSTART_INTAKE_MAX_TEXT_BYTES)
        for name, value in vars(limits).items():
            if value < 1:
                raise Invalid(f"intake limit {name} must be at least 1, got {value}")
        return limits


# Below this size a high compression ratio is normal (a short repetitive text file).
_RATIO_FLOOR = 1 * MB


@dataclass(frozen=True)
class Submission:
    """One input as staff gave it: a file (name, bytes) or pasted text."""

    name: str
    data: bytes
    kind: str = "file"  # "file" or "text"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Piece:
    """Something a carrier may read. ``origin`` says how it was obtained:
    file, text, archive-member, html-text, html-code."""

    name: str
    data: bytes | memoryview  # a part of a long text is a view of the input's bytes
    origin: str
    container: bool = False  # an archive: only its digest is compared, its members are read
    is_file: bool = True  # bytes that existed as a file (digest comparable with delivered copies)
    readable: bool = True  # given to carriers (not an archive, nor a page whose text and code are pieces)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)

    def text(self) -> str | None:
        """The piece as text, or None for binary data."""
        if b"\x00" in bytes(self.data[:8192]):
            return None
        try:
            return decode_leak(bytes(self.data))
        except UnreadableLeakError:
            return None


@dataclass
class _Budget:
    limits: IntakeLimits
    total: int = 0
    members: int = 0

    def add(self, size: int, where: str) -> None:
        self.total += size
        if self.total > self.limits.max_total_bytes:
            raise IntakeError(f"{where}: the material unpacks to more than {self.limits.max_total_bytes:,} bytes "
                              "in total (archive bomb?); refused")

    def member(self, where: str) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise IntakeError(f"{where}: more than {self.limits.max_members:,} archive members in total "
                              "(archive bomb?); refused")


def take_in(submissions: list[Submission], limits: IntakeLimits | None = None) -> list[Piece]:
    """Every piece of the submitted material, archives unpacked and pages split, in order.

    Raises IntakeError (naming the input and the problem) for anything unsafe or too big."""
    if not submissions:
        raise IntakeError("no leaked material given: pass files, or text")
    budget = _Budget(limits or IntakeLimits())
    pieces: list[Piece] = []
    for sub in submissions:
        if not sub.data:
            raise IntakeError(f"{sub.name}: the input is empty")
        budget.add(len(sub.data), sub.name)
        pieces.extend(_expand(sub.name, sub.data, "text" if sub.kind == "text" else "file", budget, depth=0))
    return pieces


# ---- archives -------------------------------------------------------------------------------

def _archive_kind(data: bytes) -> str | None:
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    if data[:3] == b"BZh":
        return "bzip2"
    if data[:6] == b"\xfd7zXZ\x00":
        return "xz"
    if len(data) >= 262 and data[257:262] == b"ustar":
        return "tar"
    return None


def _expand(name: str, data: bytes, origin: str, budget: _Budget, depth: int) -> list[Piece]:
    kind = _archive_kind(data)
    if kind is None:
        return _split_document(name, data, origin, budget.limits)
    if depth >= budget.limits.max_depth:
        raise IntakeError(f"{name}: archives nested more than {budget.limits.max_depth} levels deep; refused")
    members = _unpack(name, data, kind, budget)
    out = [Piece(name, data, origin, container=True, readable=False)]
    for member_name, member_data in members:
        out.extend(_expand(member_name, member_data, "archive-member", budget, depth + 1))
    return out


def _safe_member_name(archive: str, raw: str) -> str:
    """The member's path, or IntakeError if it could escape a directory (absolute, '..', drive)."""
    name = raw.replace("\\", "/")
    if not name or "\x00" in name:
        raise IntakeError(f"{archive}: a member has an empty or malformed name; refused")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise IntakeError(f"{archive}: member {raw!r} has an absolute path (path traversal); refused")
    parts = name.split("/")
    if ".." in parts:
        raise IntakeError(f"{archive}: member {raw!r} climbs out of the archive with '..' (path traversal); refused")
    return posixpath.normpath(name)


def _check_member_size(archive: str, member: str, size: int, budget: _Budget) -> None:
    if size > budget.limits.max_member_bytes:
        raise IntakeError(f"{archive}: member {member!r} is {size:,} bytes, more than the "
                          f"{budget.limits.max_member_bytes:,} allowed per member; refused")


def _check_ratio(archive: str, unpacked: int, packed: int, budget: _Budget) -> None:
    if unpacked > _RATIO_FLOOR and unpacked > budget.limits.max_ratio * max(packed, 1):
        raise IntakeError(f"{archive}: compression ratio above {budget.limits.max_ratio}:1 "
                          f"({unpacked:,} bytes from {packed:,}; archive bomb?); refused")


def _unpack(name: str, data: bytes, kind: str, budget: _Budget) -> list[tuple[str, bytes]]:
    try:
        if kind == "zip":
            return _unpack_zip(name, data, budget)
        if kind == "tar":
            return _unpack_tar(name, data, budget, "r:")
        return _unpack_compressed(name, data, kind, budget)
    except IntakeError:
        raise
    except (zipfile.BadZipFile, tarfile.TarError, zlib.error, EOFError, OSError, lzma.LZMAError,
            NotImplementedError, ValueError) as exc:
        raise IntakeError(f"{name}: damaged or unsupported {kind} archive ({exc}); refused") from None


def _unpack_zip(name: str, data: bytes, budget: _Budget) -> list[tuple[str, bytes]]:
    out = []
    packed_total = unpacked_total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            member = _safe_member_name(name, info.filename)
            mode = info.external_attr >> 16  # Unix mode, when the archiver recorded one
            if info.is_dir():
                continue
            if stat.S_IFMT(mode) not in (0, stat.S_IFREG):
                what = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
                raise IntakeError(f"{name}: member {info.filename!r} is {what}; refused")
            if info.flag_bits & 0x1:
                raise IntakeError(f"{name}: member {info.filename!r} is encrypted; give the decrypted files")
            budget.member(name)
            _check_member_size(name, member, info.file_size, budget)
            _check_ratio(f"{name}: member {member!r}", info.file_size, info.compress_size, budget)
            budget.add(info.file_size, name)
            with archive.open(info) as fh:
                content = fh.read(info.file_size + 1)  # the zip reader stops at the declared size
            if len(content) > info.file_size:
                raise IntakeError(f"{name}: member {member!r} is larger than its header says; refused")
            packed_total += info.compress_size
            unpacked_total += len(content)
            _check_ratio(name, unpacked_total, packed_total, budget)
            out.append((f"{name}/{member}", content))
    return out


def _unpack_tar(name: str, data: bytes, budget: _Budget, mode: Literal["r:", "r:gz", "r:bz2", "r:xz"],
                packed: int | None = None) -> list[tuple[str, bytes]]:
    out = []
    packed = len(data) if packed is None else packed
    unpacked_total = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode=mode) as archive:
        # next() one member at a time: sizes are checked before the reader skips over data.
        while (info := archive.next()) is not None:
            member = _safe_member_name(name, info.name)
            if info.isdir():
                continue
            if info.issym() or info.islnk():
                raise IntakeError(f"{name}: member {info.name!r} is a link (to {info.linkname!r}); refused")
            if not info.isfile():
                raise IntakeError(f"{name}: member {info.name!r} is a device, FIFO or other special file; refused")
            budget.member(name)
            _check_member_size(name, member, info.size, budget)
            budget.add(info.size, name)
            unpacked_total += info.size
            _check_ratio(name, unpacked_total, packed, budget)
            fh = archive.extractfile(info)
            content = fh.read(info.size) if fh is not None else b""
            out.append((f"{name}/{member}", content))
    return out


def _decompressor(data: bytes, kind: str) -> gzip.GzipFile | bz2.BZ2File | lzma.LZMAFile:
    if kind == "gzip":
        return gzip.GzipFile(fileobj=io.BytesIO(data))
    if kind == "bzip2":
        return bz2.BZ2File(io.BytesIO(data))
    return lzma.LZMAFile(io.BytesIO(data))


def _bounded_decompress(name: str, data: bytes, kind: str, budget: _Budget) -> bytes:
    """Decompress at most what the limits allow, in steps, never all at once."""
    cap = min(budget.limits.max_member_bytes, budget.limits.max_total_bytes - budget.total)
    chunks, size = [], 0
    with _decompressor(data, kind) as stream:
        while chunk := stream.read(1 * MB):
            size += len(chunk)
            if size > cap:
                raise IntakeError(f"{name}: decompresses to more than {cap:,} bytes (archive bomb?); refused")
            _check_ratio(name, size, len(data), budget)
            chunks.append(chunk)
    return b"".join(chunks)


def _unpack_compressed(name: str, data: bytes, kind: str, budget: _Budget) -> list[tuple[str, bytes]]:
    inner = _bounded_decompress(name, data, kind, budget)
    if len(inner) >= 262 and inner[257:262] == b"ustar":
        return _unpack_tar(name, inner, budget, "r:", packed=len(data))
    budget.member(name)
    budget.add(len(inner), name)
    stem = re.sub(r"\.(gz|tgz|bz2|xz)$", "", name.rsplit("/", 1)[-1], flags=re.IGNORECASE) or "content"
    return [(f"{name}/{stem}", inner)]


# ---- documents ------------------------------------------------------------------------------

_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])",
                         re.IGNORECASE | re.DOTALL)
_INVISIBLE = ("script", "style", "noscript", "template", "head", "svg")


def is_html(name: str, data: bytes) -> bool:
    if name.lower().endswith((".html", ".htm", ".xhtml")):
        return True
    return bool(_HTML_START.match(data[:4096].lstrip(b"\xef\xbb\xbf")))


def _split_document(name: str, data: bytes, origin: str, limits: IntakeLimits) -> list[Piece]:
    if len(data) > limits.max_text_bytes and b"\x00" not in data[:8192]:
        return [Piece(name, data, origin, readable=False), *text_parts(name, data, limits.max_text_bytes)]
    piece = Piece(name, data, origin)
    if not is_html(name, data):
        return [piece]
    text = piece.text()
    derived = html_pieces(name, text) if text is not None else []
    if not derived:
        return [piece]
    return [Piece(name, data, origin, is_file=piece.is_file, readable=False), *derived]


def text_parts(name: str, data: bytes, size: int) -> list[Piece]:
    """A long text in parts of at most ``size`` bytes, cut after a blank line (else a line
    break, else between characters) in the second half of each part; views, not copies."""
    view = memoryview(data)
    parts: list[Piece] = []
    start = 0
    while start < len(data):
        end = min(len(data), start + size)
        if end < len(data):
            floor = start + size // 2
            cut = data.rfind(b"\n\n", floor, end)
            cut = cut + 2 if cut >= 0 else data.rfind(b"\n", floor, end) + 1
            if cut > floor:
                end = cut
            else:  # no break: do not split a UTF-8 character
                while end > floor and (data[end] & 0xC0) == 0x80:
                    end -= 1
        parts.append(Piece(f"{name}#part-{len(parts) + 1}", view[start:end], "text-part", is_file=False))
        start = end
    return parts


def html_pieces(name: str, html: str) -> list[Piece]:
    """A saved page's visible text, and each of its code blocks on its own."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(list(_INVISIBLE)):
        tag.decompose()
    out = []
    blocks = [b for b in soup.find_all(["pre", "code"]) if b.name == "pre" or b.find_parent("pre") is None]
    n = 0
    for block in blocks:
        code = block.get_text()
        if block.name == "code" and code.count("\n") < 2:
            continue  # inline code: part of the prose
        n += 1
        out.append(Piece(f"{name}#code-{n}", code.encode("utf-8"), "html-code", is_file=False))
    visible = soup.get_text()
    if visible.strip():
        out.insert(0, Piece(f"{name}#text", visible.encode("utf-8"), "html-text", is_file=False))
    return out
