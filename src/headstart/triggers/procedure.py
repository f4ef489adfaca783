"""Render the step-by-step procedure partners receive, as Markdown.

It shows how to parse the format (every field with its offset, type and size), which
checksums a file must carry, and every trigger condition with its reason. It says
nothing about ``x-headstart.free``: which fields carry marks is never revealed. Field
documentation is shown as the specification's author wrote it.

The procedure is marked like any write-up, so the sentences the generator writes offer
the prose carrier author alternatives (``{{a|b|c}}``): synonymous wordings, numbers
written in forms that are exactly equal (``0x4`` / ``0x04`` / ``0x0004``; ``width > 0x3fff``
/ ``width >= 0x4000``), and example values on each side of every trigger condition (see
``examples``). Every alternative is equally right, and none depends on which fields are
free. Tables offer none: each column writes its numbers in one notation. Headings sit directly above their text and the conditions form a loose list, so
that every paragraph an excerpt may keep carries marks. ``render_procedure(spec)`` is the original the carrier marks;
``plain_procedure(spec)`` shows the first alternative of each, for an unmarked copy.
"""

from __future__ import annotations

import re

from .checksums import DESCRIPTIONS
from .examples import Example, Examples, examples_for
from .expr import Num
from .spec import ROOT, Condition, FieldDef, Spec, TypeDef

# The carrier's syntax: these must never appear inside an alternative.
_RESERVED = ("{{", "}}", "|")
_ALTERNATIVES = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_CODE_SPAN = re.compile(r"(`+).*?\1", re.DOTALL)
_ATX_HEADING = re.compile(r"#{1,6}(\s|$)")


class Choose:
    """``choose(a, b, ...)``: author alternatives when marking, else the first one."""

    def __init__(self, marks: bool) -> None:
        self.marks = marks

    def __call__(self, *alternatives: str) -> str:
        alts = list(dict.fromkeys(alternatives))
        if not self.marks or len(alts) < 2 or any(r in a for a in alts for r in _RESERVED):
            return alts[0]
        return "{{" + "|".join(alts) + "}}"

    def author(self, text: str) -> str:
        """Text the specification's author wrote, which may hold the author's own
        ``{{a|b}}`` (outside code): kept for the carrier, else shown as its first choice."""
        if self.marks:
            return text
        out, pos = [], 0
        for m in _CODE_SPAN.finditer(text):
            out += [_ALTERNATIVES.sub(lambda a: a.group(1).split("|")[0], text[pos:m.start()]), m.group()]
            pos = m.end()
        return "".join([*out, _ALTERNATIVES.sub(lambda a: a.group(1).split("|")[0], text[pos:])])


def _cell(text: str) -> str:
    """Text for a table cell: on one line, '|' escaped except between an author's {{ }}."""
    pieces = re.split(r"(\{\{.*?\}\})", text)
    return " ".join("".join(p if i % 2 else p.replace("|", "\\|") for i, p in enumerate(pieces)).split())


def _code(text: str) -> str:
    return f"`{text}`" if "`" not in text else f"`` {text} ``"


# --- numbers written in equal forms -----------------------------------------------------


def hex_forms(n: int) -> list[str]:
    """A size written as hex, in forms that are all equal: 0x4, 0x04, 0x0004, 0x00000004;
    0x10, 0x0010, 0x00000010, 0x10 with upper-case digits when it has letters. Only length
    and case differ, never the value."""
    forms = [f"{n:#x}", f"0x{n:02x}", f"0x{n:04x}", f"0x{n:08x}", f"{n:#X}".replace("0X", "0x")]
    return list(dict.fromkeys(forms))[:4]


def _number_forms(n: int, hexy: bool) -> list[str]:
    """An integer in the author's notation first, then in the other ones: hex (lower and
    upper-case digits) and decimal. A decimal digit is not worth writing in hex."""
    dec, low, up = str(n), f"{n:#x}", f"{n:#X}".replace("0X", "0x")
    if hexy:
        return list(dict.fromkeys([low, up, dec]))
    return [dec] if n < 10 else [dec, low]


# The same integer condition with the bound moved by one (x > 7 is x >= 8).
_SHIFTED = {">": (">=", 1), ">=": (">", -1), "<": ("<=", -1), "<=": ("<", 1)}
# The same comparison with its sides swapped (x >= y is y <= x).
_MIRRORED = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "==": "==", "!=": "!="}


def _field_of(spec: Spec, cond: Condition) -> FieldDef | None:
    typedef, decl = spec.root, None
    for seg in cond.path.segments:
        if decl is not None:
            if decl.kind != "struct" or decl.user_type not in spec.types:
                return None
            typedef = spec.types[decl.user_type]
        decl = typedef.get(seg.name)
        if decl is None:
            return None
    return decl


def condition_forms(spec: Spec, cond: Condition) -> list[str]:
    """The condition as code, first as the author wrote it, then in equal forms: for an
    integer field, the bound in another notation or moved by one (or on the left); else
    the sides swapped. A path that names several fields always stays the subject."""
    path = str(cond.path)
    if cond.op in ("in", "not-in"):
        verbs = ("is one of", "is in", "in") if cond.op == "in" else ("is none of", "is not in", "not in")
        return [f"{path} {verb} {cond.value_text}" for verb in verbs]
    value = cond.values[0]
    first = f"{path} {cond.op} {value.source}"
    decl = _field_of(spec, cond)
    if isinstance(value.expr.node, Num) and decl is not None and decl.kind == "int":
        n = value.expr.node.value
        forms = [first] + [f"{path} {cond.op} {v}" for v in _number_forms(n, value.hexy)]
        mirrored = []
        if cond.op in _SHIFTED:
            mirrored.append(f"{value.source} {_MIRRORED[cond.op]} {path}")
            op, step = _SHIFTED[cond.op]
            if n + step >= 0:
                forms += [f"{path} {op} {v}" for v in _number_forms(n + step, value.hexy)]
                mirrored.append(f"{_number_forms(n + step, value.hexy)[0]} {_MIRRORED[op]} {path}")
        # The bound on the left ("1 <= height") only when the notations run out.
        return list(dict.fromkeys(forms + ([] if cond.path.is_multi else mirrored)))[:4]
    if isinstance(value.expr.node, Num) or cond.path.is_multi:
        return [first]
    # "length >= height * 2" is "height * 2 <= length"; a multi path ("every element")
    # needs to stay the subject.
    return [first, f"{value.source} {_MIRRORED[cond.op]} {path}"]


# --- the tables -------------------------------------------------------------------------


# Table cells: text from the specification has its '|' escaped; the generator's own words
# never contain one, so the alternatives around them stay intact.


def _size_text(f: FieldDef, choose: Choose) -> tuple[str, int | None]:
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
        return _cell(_code(f.size.source)), None
    if f.size_eos:
        return choose("to the end", "up to the end", "until the end"), None
    return choose("see below", "given below", "described below"), None


def _type_text(f: FieldDef, choose: Choose) -> str:
    base = {"int": f.type_text, "str": f"str ({f.encoding})", "bytes": "bytes",
            "contents": "bytes", "struct": f"`{f.user_type}`"}[f.kind]
    if f.repeat == "eos":
        return f"{base}, {choose('repeated to the end', 'repeated until the end', 'repeated up to the end')}"
    if f.repeat == "expr":
        assert f.repeat_expr is not None
        return f"{base}, {choose('repeated', 'repeated exactly')} {_cell(_code(f.repeat_expr.source))} times"
    if f.repeat == "until":
        assert f.repeat_until is not None
        return f"{base}, repeated until {_cell(_code(f.repeat_until.source))}"
    return base


def _notes(f: FieldDef, choose: Choose) -> str:
    notes = []
    if f.contents is not None:
        text = f.contents.decode("latin-1")
        shown = f' ("{text}")' if all(0x20 <= b < 0x7F for b in f.contents) else ""
        notes.append(f"{choose('must be', 'must equal', 'must always be')} {_cell(_code(f.contents.hex(' ')) + shown)}")
    if f.if_expr is not None:
        notes.append(f"{choose('present only if', 'only present if', 'present only when')} "
                     f"{_cell(_code(f.if_expr.source))}")
    if f.doc:
        notes.append(_cell(choose.author(f.doc.strip())))  # the author's words, as written
    return "; ".join(notes)


def _table(typedef: TypeDef, in_struct: bool, choose: Choose) -> tuple[list[str], int, list[str]]:
    """The rows, and the size of what they describe: fixed bytes plus the variable parts.

    Every offset of the column is written in one notation: hex, lower case, as many digits
    as the largest fixed offset needs (in whole bytes), as code, so no carrier changes its
    case either. The width comes from the layout alone, never from a mark: offsets in several
    widths or cases would show a careful reader which cells differ between copies."""
    const = 0
    symbolic: list[str] = []
    rows: list[tuple[int, list[str], str]] = []  # fixed offset, variable parts before it, the rest of the row
    for f in typedef.fields:
        size_text, size = _size_text(f, choose)
        rest = f"| {_code(f.id)} | {_type_text(f, choose)} | {size_text} | {_notes(f, choose)} |"
        rows.append((const, list(symbolic), rest))
        if f.if_expr is not None or f.repeat is not None or size is None:
            if f.repeat is None and f.size is not None and f.if_expr is None:
                symbolic.append(f.size.source if f.size.source.isidentifier() else f"({f.size.source})")
            else:
                symbolic.append(f"size of {f.id}")
        else:
            const += size
    width = max(2, -(-len(f"{max((r[0] for r in rows), default=0):x}") // 2) * 2)
    lines = ["| # | offset | field | type | size | notes |", "|---|---|---|---|---|---|"]
    for i, (fixed, parts, rest) in enumerate(rows, 1):
        offset = _code(f"{'+' if in_struct else ''}0x{fixed:0{width}x}") + "".join(f" + {_cell(p)}" for p in parts)
        lines.append(f"| {i} | {offset} {rest}")
    return lines, const, symbolic


def _struct_section(spec: Spec, name: str, typedef: TypeDef, choose: Choose) -> list[str]:
    """Heading, the author's description, the size of one, then the table."""
    heading = choose("Layout of the structure", "Fields of the structure", "Layout of the struct",
                     "Fields of the struct", "The layout of the structure", "The fields of the structure")
    users = [f.id for t in [spec.root, *spec.types.values()] for f in t.fields if f.user_type == name]
    if users:
        heading += f" `{name}` (the type of {', '.join(_code(u) for u in users)})"
    else:
        heading += f" `{name}`"
    rows, const, symbolic = _table(typedef, in_struct=True, choose=choose)
    size = choose(*hex_forms(const)) + "".join(" + " + _cell(part) for part in symbolic)
    sentence = (f"{choose('Each', 'Every', 'One')} `{name}` {choose('is', 'occupies', 'takes up')} {size} "
                f"bytes {choose('in all', 'in total', 'altogether')}.")
    about = ([choose.author(typedef.doc.strip())] if typedef.doc else []) + [sentence]
    return [f"### {heading}", *about, "", *rows]


# --- the document -----------------------------------------------------------------------


def _signedness(choose: Choose) -> str:
    return choose("`u` types are unsigned and `s` types signed", "`s` types are signed and `u` types unsigned",
                  "types starting with `u` are unsigned and those with `s` signed")


def _preamble(spec: Spec, choose: Choose) -> list[str]:
    order = {"le": "little-endian", "be": "big-endian"}
    sizes = choose("with the size in bytes", "followed by the size in bytes",
                   "each followed by its size in bytes", "with their size in bytes")
    if spec.endian:
        integers = (f"{choose('Integers are', 'All integers are')} {order[spec.endian]} "
                    + choose("unless their type says otherwise", "unless their type states otherwise",
                             "except where their type says otherwise", "except where their type states otherwise",
                             "unless their type names the other order",
                             "except where their type names the other order"))
        first = (f"{integers} ({choose('for example', 'as in', 'such as')} `u4le`, `u4be`); {_signedness(choose)}, "
                 f"{sizes}.")
    else:
        names = choose("Each integer type names its byte order", "Every integer type names its byte order",
                       "Each integer type states its byte order", "Every integer type states its byte order")
        first = f"{names} (`le` or `be`); {_signedness(choose)}, {sizes}."
    offsets = ("Offsets are "
               + choose("in bytes, in hex,", "given in bytes, in hex,", "in bytes, written in hex,",
                        "counted in bytes, in hex,")
               + " " + choose("from the start of the file", "from the beginning of the file",
                              "from the first byte of the file")
               + "; inside a structure they are counted from "
               + choose("the start of that structure", "the beginning of that structure",
                        "where that structure starts", "the first byte of that structure") + ". "
               + choose("Fields follow one another", "Fields come one after another",
                        "Each field follows the previous one") + " "
               + choose("with no padding between them", "without any padding", "with no gap between them",
                        "with nothing in between") + ".")
    return [f"{first} {offsets}", ""]


def _checksums(spec: Spec, step: int, choose: Choose) -> list[str]:
    out = [f"## Step {step}: "
           + choose("check the checksums", "verify the checksums", "check every checksum", "verify every checksum",
                    "check all checksums", "verify all checksums", "check each checksum", "verify each checksum"),
           "",
           choose("A file whose checksums are wrong", "A file with a wrong checksum", "A file with a bad checksum",
                  "A file with an incorrect checksum", "A file whose checksums do not match",
                  "A file with a checksum that does not match")
           + " " + choose("may be rejected", "can be rejected", "might be rejected", "may be refused",
                          "can be refused", "might be refused")
           + " before the vulnerable code " + choose("runs", "is reached", "gets to run", "ever runs")
           + ". Each checksum " + choose("covers", "is computed over", "is taken over", "is calculated over")
           + " the stored bytes of the " + choose("fields listed", "listed fields", "fields given") + ", "
           + choose("in that order", "in the order given", "in the order shown", "in this order") + ":",
           ""]
    for cs in spec.checksums:
        decl = cs.decl
        assert decl is not None
        where = "" if cs.owner == ROOT else f" {choose('of the same', 'in the same', 'from the same')} `{cs.owner}`"
        over = ""
        for k, p in enumerate(cs.over):
            if k:
                over += f" {choose('then', 'followed by', 'and then')} "
            over += _code(str(p))
        out.append(f"- {_code(str(cs.path))} ({decl.type_text}) "
                   f"{choose('is the', 'holds the', 'stores the', 'contains the', 'gives the', 'carries the')} "
                   f"{DESCRIPTIONS[cs.algorithm]} "
                   f"of {over}{where}. "
                   f"{choose('Recompute it', 'Compute it again', 'Update it')} "
                   f"{choose('after changing', 'whenever you change', 'when you change', 'after editing')} "
                   f"{choose('any of these fields', 'one of these fields', 'any of them')}.")
    out.append("")
    return out


def _conditions(spec: Spec, step: int, choose: Choose) -> list[str]:
    out = [f"## Step {step}: "
           + choose("the trigger conditions", "the triggering conditions", "the conditions that trigger the bug",
                    "the conditions for triggering the bug", "test the trigger conditions",
                    "check the trigger conditions", "test the conditions that trigger the bug",
                    "check the conditions that trigger the bug"),
           ""]
    if not spec.trigger:
        return [*out, "The specification lists no trigger condition."]
    intro = (choose("The bug triggers", "The bug is triggered", "A file triggers the bug") + " when "
             + choose("every one of these conditions holds", "all of these conditions hold",
                      "each of these conditions holds", "all the conditions below hold") + ".")
    indexed = _indexed_example(spec)
    if indexed:
        intro += (" " + choose("A path such as", "A path like") + f" {_code(indexed)} "
                  + choose("names", "selects", "means") + " "
                  + choose("one element of a repeated field, counted from 0",
                           "one element of a repeated field, the first being 0",
                           "one element of a repeated field, counting from zero") + ".")
    examples = [examples_for(spec, c, _field_of(spec, c)) for c in spec.trigger]
    if any(found.meets for found in examples):
        intro += (" " + choose("The values in brackets", "The examples in brackets", "The bracketed values")
                  + " " + choose("are examples for", "illustrate", "give examples for") + " "
                  + choose("each condition alone", "each condition on its own", "each condition by itself")
                  + ": " + choose("one value that meets it and, where there is a choice, one that does not",
                                  "a value that meets it and, where there is a choice, one that fails it",
                                  "one that meets it and, where there is a choice, one that fails it") + ".")
    out += [intro, ""]
    # A loose list: each condition is a paragraph of its own (it renders the same).
    for i, (cond, found) in enumerate(zip(spec.trigger, examples, strict=True), 1):
        line = f"{i}. {choose(*(_code(c) for c in condition_forms(spec, cond)))}"
        line += _examples(found, choose)
        if cond.path.is_multi:
            line += " " + choose("(for every element the path names)", "(for each element the path names)",
                                 "(for every element that the path names)")
        # A list item is read by the words around its slot: without a reason it has none.
        line += f": {choose.author(cond.why.strip())}" if cond.why else ": no reason given"
        out += [line, ""]
    return out[:-1]


def _indexed_example(spec: Spec) -> str | None:
    """The first path of the trigger that picks one element by a plain index, up to it."""
    for cond in spec.trigger:
        for k, seg in enumerate(cond.path.segments):
            if isinstance(seg.selector, int) and seg.selector >= 0:
                return ".".join(str(s) for s in cond.path.segments[: k + 1])
    return None


def _example_text(e: Example) -> str:
    given = " and ".join(_code(f"{name} = {value}") for name, value in e.given)
    return _code(e.value) + (f" with {given}" if given else "")


def _examples(found: Examples, choose: Choose) -> str:
    """' (for example X, but not Y)': a value on each side of the condition, when there
    is a choice of them (see ``examples``)."""
    parts = []
    if found.meets:
        parts.append(f"{choose('for example', 'e.g.', 'for instance')} {choose(*map(_example_text, found.meets))}")
    if found.fails:
        parts.append(f"{'but not' if parts else 'not'} {choose(*map(_example_text, found.fails))}")
    return f" ({', '.join(parts)})" if parts else ""


def _summary(spec: Spec, choose: Choose) -> list[str]:
    sums = (" " + choose("check every checksum", "verify every checksum", "check all checksums",
                         "verify all checksums", "check each checksum", "verify each checksum")
            + " (step 2),") if spec.checksums else ""
    return ["## Summary: " + choose("checking a file", "how to check a file", "how a file is checked",
                                    "checking a candidate file", "how to check a candidate file",
                                    "how a candidate file is checked"), "",
            choose("Parse the file", "Read the file", "Parse a file", "Read a file") + f" as in step 1,{sums} then "
            + choose("test", "evaluate", "check", "verify") + " every trigger condition "
            + choose("in order", "in turn", "one by one, in order", "in the order given")
            + ". A file that parses and " + choose("meets", "satisfies", "passes")
            + " every condition triggers the bug; the first condition that fails "
            + choose("says", "shows", "tells you", "explains") + " why a file does not.", ""]


def render_procedure(spec: Spec, marks: bool = True) -> str:
    """The procedure as Markdown (parse steps with offsets and types, checksums, trigger).

    With ``marks`` (the default) the generated sentences carry ``{{a|b}}`` alternatives:
    this is the original the prose carrier marks, never a text for a reader. Without,
    each shows its first alternative (see ``plain_procedure``)."""
    choose = Choose(marks)
    # Four words or more: a title of one or two words is not enough context to find a slot.
    title = choose("Procedure to trigger the bug", "How to trigger the bug", "Steps to trigger the bug",
                   "Procedure for triggering the bug", "Steps for triggering the bug", "How the bug is triggered",
                   "Triggering the bug step by step", "How to reproduce the bug")
    out = [f"# {title}: {choose.author(spec.title)}", ""]
    if spec.doc:
        out += [choose.author(spec.doc.strip()), ""]
    out += _preamble(spec, choose)

    out += ["## Step 1: " + choose("parse the file", "read the file", "parse the input file", "read the input file",
                                   "parse the fields of the file", "read the fields of the file",
                                   "parse each field of the file", "read each field of the file"),
            ""]
    out += _table(spec.root, in_struct=False, choose=choose)[0]
    for name, typedef in spec.types.items():
        out += ["", *_struct_section(spec, name, typedef, choose)]
    out.append("")

    step = 2
    if spec.checksums:
        out += _checksums(spec, step, choose)
        step += 1
    out += _conditions(spec, step, choose)
    out += ["", *_summary(spec, choose)]
    return "\n".join(_attach_headings(out))


def _attach_headings(lines: list[str]) -> list[str]:
    """Each heading directly above its first block, with no blank line between (valid
    Markdown; it renders the same). Someone who quotes a section quotes its heading with
    it, and a heading alone is too short to hold marks."""
    out: list[str] = []
    for i, line in enumerate(lines):
        if not line and i and _ATX_HEADING.match(lines[i - 1]) and i + 1 < len(lines) and lines[i + 1]:
            continue
        out.append(line)
    return out


def plain_procedure(spec: Spec) -> str:
    """The procedure as an unmarked reader sees it: no author syntax, first wording of each."""
    return render_procedure(spec, marks=False)
