"""Render the step-by-step procedure partners receive, as Markdown.

It shows how to parse the format (every field with its offset, type and size), which
checksums a file must carry, and every trigger condition with its reason. It says
nothing about ``x-headstart.free``: which fields carry marks is never revealed. Field
documentation is shown as the specification's author wrote it.
"""

from __future__ import annotations

from .checksums import DESCRIPTIONS
from .spec import ROOT, FieldDef, Spec, TypeDef


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _code(text: str) -> str:
    return f"`{text}`" if "`" not in text else f"`` {text} ``"


def _size_text(f: FieldDef) -> tuple[str, int | None]:
    """The size as shown, and as a number when it is fixed."""
    if f.kind == "int":
        return str(f.int_size), f.int_size
    if f.kind == "contents":
        assert f.contents is not None
        return str(len(f.contents)), len(f.contents)
    if f.size is not None:
        if f.size.is_constant and f.repeat is None:
            try:
                n = int(f.size.source.replace("_", ""), 0)
                return str(n), n
            except ValueError:
                pass
        return _code(f.size.source), None
    if f.size_eos:
        return "to the end", None
    return "see below", None


def _type_text(f: FieldDef) -> str:
    base = {"int": f.type_text, "str": f"str ({f.encoding})", "bytes": "bytes",
            "contents": "bytes", "struct": f"`{f.user_type}`"}[f.kind]
    if f.repeat == "eos":
        return f"{base}, repeated to the end"
    if f.repeat == "expr":
        assert f.repeat_expr is not None
        return f"{base}, repeated {_code(f.repeat_expr.source)} times"
    if f.repeat == "until":
        assert f.repeat_until is not None
        return f"{base}, repeated until {_code(f.repeat_until.source)}"
    return base


def _notes(f: FieldDef) -> str:
    notes = []
    if f.contents is not None:
        text = f.contents.decode("latin-1")
        shown = f' ("{text}")' if all(0x20 <= b < 0x7F for b in f.contents) else ""
        notes.append(f"must be {_code(f.contents.hex(' '))}{shown}")
    if f.if_expr is not None:
        notes.append(f"present only if {_code(f.if_expr.source)}")
    if f.doc:
        notes.append(f.doc.strip())
    return _cell("; ".join(notes))


def _table(spec: Spec, typedef: TypeDef, in_struct: bool) -> list[str]:
    lines = ["| # | offset | field | type | size | notes |", "|---|---|---|---|---|---|"]
    const = 0
    symbolic: list[str] = []
    for i, f in enumerate(typedef.fields, 1):
        offset = f"{'+' if in_struct else ''}{const:#x}"
        if symbolic:
            offset += " + " + " + ".join(symbolic)
        size_text, size = _size_text(f)
        lines.append(f"| {i} | {offset} | {_code(f.id)} | {_type_text(f)} | {size_text} | {_notes(f)} |")
        if f.if_expr is not None or f.repeat is not None or size is None:
            if f.repeat is None and f.size is not None and f.if_expr is None:
                symbolic.append(f.size.source if f.size.source.isidentifier() else f"({f.size.source})")
            else:
                symbolic.append(f"size of {f.id}")
        else:
            const += size
    return lines


def render_procedure(spec: Spec) -> str:
    """The procedure as Markdown (parse steps with offsets and types, checksums, trigger)."""
    out = [f"# Trigger procedure: {spec.title}", ""]
    if spec.doc:
        out += [spec.doc.strip(), ""]
    order = {"le": "little-endian", "be": "big-endian"}
    if spec.endian:
        out.append(f"Integers are {order[spec.endian]} unless their type says otherwise "
                   "(`u4le`, `u4be`); `u` types are unsigned and `s` types signed, with the size in bytes.")
    else:
        out.append("Each integer type names its byte order (`le` or `be`); `u` types are unsigned and "
                   "`s` types signed, with the size in bytes.")
    out += ["", "Offsets are in bytes, in hex, from the start of the file; inside a structure they are "
            + "counted from the start of that structure.", ""]

    out += ["## Step 1: parse the file", ""]
    out += _table(spec, spec.root, in_struct=False)
    for name, typedef in spec.types.items():
        out += ["", f"### Structure `{name}`", ""]
        if typedef.doc:
            out += [typedef.doc.strip(), ""]
        out += _table(spec, typedef, in_struct=True)
    out.append("")

    step = 2
    if spec.checksums:
        out += [f"## Step {step}: check the checksums", "",
                "A file whose checksums are wrong may be rejected before the vulnerable code runs. "
                + "Each checksum covers the stored bytes of the fields listed, in that order:", ""]
        for cs in spec.checksums:
            decl = cs.decl
            assert decl is not None
            where = "" if cs.owner == ROOT else f" of the same `{cs.owner}`"
            over = " then ".join(_code(str(p)) for p in cs.over)
            out.append(f"- {_code(str(cs.path))} ({decl.type_text}) is the {DESCRIPTIONS[cs.algorithm]} "
                       f"of {over}{where}.")
        out.append("")
        step += 1

    out += [f"## Step {step}: the trigger conditions", ""]
    if spec.trigger:
        out += ["The bug triggers when every one of these conditions holds:", ""]
        for i, cond in enumerate(spec.trigger, 1):
            op = {"in": "is one of", "not-in": "is none of"}.get(cond.op, cond.op)
            line = f"{i}. {_code(f'{cond.path} {op} {cond.value_text}')}"
            if cond.path.is_multi:
                line += " (for every element the path names)"
            if cond.why:
                line += f": {cond.why.strip()}"
            out.append(line)
    else:
        out.append("The specification lists no trigger condition.")
    sums = " check every checksum (step 2)," if spec.checksums else ""
    out += ["", "## Checking a file", "",
            f"Parse the file as in step 1,{sums} then test every trigger condition in order. A file that "
            + "parses and meets every condition triggers the bug; the first condition that fails says why "
            + "a file does not.", ""]
    return "\n".join(out)
