"""What an investigation compares delivered files by (a trigger procedure's rendered text, a
binary format's magic) is kept in the carrier store: an investigation that loads it names,
scores and reads exactly as one that computes it, a stored entry the program did not write
is computed again, and the number of database queries does not grow with the partners."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from investigation_helpers import PARTNERS, accused

from headstart.apps.delivery import carrier_store, copies
from headstart.apps.investigations import attribution, matching
from headstart.leaks.text import excerpt_window, forum_repost
from headstart.samples import SAMPLE_DIR
from headstart.triggers import load_spec, render_procedure

SPEC = (SAMPLE_DIR / "tim.ksy.yaml").read_bytes()
LEAKER = PARTNERS[2]


@pytest.fixture
def store(settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An empty carrier store, and no carrier or matching data in this process's memory."""
    settings.HEADSTART_CARRIER_CACHE_DIR = tmp_path / "store"
    copies._carriers.clear()
    forget_matching_data()
    yield settings.HEADSTART_CARRIER_CACHE_DIR
    copies._carriers.clear()
    forget_matching_data()


def forget_matching_data() -> None:
    """What a new process does not have in memory (the carriers aside)."""
    matching._original.cache_clear()
    matching._magic.cache_clear()


def leaked_material(delivered) -> list[tuple[str, bytes | str]]:  # type: ignore[no-untyped-def]
    """A forum post of a few paragraphs of the write-up, the procedure and the binary PoC."""
    return [("post.txt", forum_repost(excerpt_window(delivered.text(LEAKER, "writeup.md"), seed=3, keep=0.4))),
            ("procedure.md", delivered.text(LEAKER, "tim-procedure.md")),
            ("poc.tim", delivered.copy(LEAKER, "poc.tim"))]


def comparable(result: dict) -> dict:
    """The result without what differs between two runs on the same material (its record)."""
    return {k: v for k, v in result.items() if k not in {"investigation", "created_at"}}


def computing_every_time(name: str, original: bytes, compute: Any, kind: type) -> Any:
    return compute()


def never_rendered(*args: Any, **kwargs: Any) -> str:
    raise AssertionError("the procedure should have come from the carrier store")


def test_stored_matching_data_names_scores_and_reads_exactly_as_computing_it(
        store, delivered, investigate_leak, monkeypatch):
    material = leaked_material(delivered)
    with monkeypatch.context() as m:  # the path without the store: computed in this process
        m.setattr(carrier_store, "derived", computing_every_time)
        computed = investigate_leak(*material)
    forget_matching_data()
    first = investigate_leak(*material)  # computes and keeps it
    forget_matching_data()  # the next process
    monkeypatch.setattr(matching, "render_procedure", never_rendered)
    monkeypatch.setattr(matching, "load_spec", never_rendered)
    loaded = investigate_leak(*material)

    assert accused(computed) == [LEAKER]
    assert {a["file"] for a in computed["artifacts"]} == {"writeup.md", "tim-procedure.md", "poc.tim"}
    assert comparable(first) == comparable(computed)
    assert comparable(loaded) == comparable(computed)
    assert [(s["partner"], s["score"], s["p_value"]) for s in loaded["scores"]] == \
           [(s["partner"], s["score"], s["p_value"]) for s in computed["scores"]]


def test_the_stored_procedure_is_the_rendered_procedure(store):
    rendered = render_procedure(load_spec(SPEC.decode("utf-8")))

    assert matching.compared_text("trigger-spec", SPEC) == rendered
    forget_matching_data()
    assert matching.compared_text("trigger-spec", SPEC) == rendered


def test_a_stored_procedure_the_program_did_not_write_is_rendered_again(store):
    rendered = matching.compared_text("trigger-spec", SPEC)
    path = store / carrier_store.code_version() / carrier_store._key("derived:procedure", SPEC, None)
    path.write_bytes(b"\0" * 32 + path.read_bytes()[32:].replace(b"Read", b"Fake"))

    assert matching.compared_text("trigger-spec", SPEC) == rendered
    assert carrier_store.derived("procedure", SPEC, never_rendered, str) == rendered  # and kept again


def test_a_binary_format_magic_is_kept_with_the_specification(store, monkeypatch):
    magic = matching._magic(SPEC)
    forget_matching_data()
    monkeypatch.setattr(matching, "load_spec", never_rendered)

    assert magic and matching._magic(SPEC) == magic


def test_the_queries_of_an_investigation_do_not_grow_with_the_partners(
        make_keyed_partner, sample_advisory, investigate_leak, store):
    from headstart.apps.audit.services import Actor
    from headstart.apps.delivery.services import fetch_package, render_package
    from headstart.apps.investigations.intake import Submission
    from headstart.apps.investigations.services import investigate

    partners = [make_keyed_partner(f"Partner {i:02d}") for i in range(12)]
    advisory = sample_advisory()  # one commitment covers all of them

    def download(keyed):  # type: ignore[no-untyped-def]
        fetch_package(keyed.analyst, advisory.ident, actor=Actor(name=keyed.analyst.email, partner=keyed.name))

    package = render_package(advisory, partners[1].partner, actor=Actor(name="psirt"))
    writeup = next(e.content for e in package.entries if e.name == "writeup.md").decode("utf-8")
    post = [Submission("post.txt", forum_repost(excerpt_window(writeup, seed=1, keep=0.4)).encode("utf-8"))]

    def queries() -> tuple[int, dict]:
        investigate(post, actor=Actor(name="psirt"))  # warm: the in-process caches are filled
        with CaptureQueriesContext(connection) as captured:
            result = investigate(post, actor=Actor(name="psirt")).result
        return len(captured.captured_queries), result

    for keyed in partners[:3]:
        download(keyed)
    few, few_result = queries()
    for keyed in partners[3:]:
        download(keyed)
    many, many_result = queries()

    assert (few_result["partners_considered"], many_result["partners_considered"]) == (3, 12)
    assert accused(few_result) == accused(many_result) == ["Partner 01"]
    assert many == few


def test_an_investigation_in_a_new_process_loads_the_carriers_scheduling_stored(
        store, delivered, investigate_leak, monkeypatch):
    material = leaked_material(delivered)
    before = investigate_leak(*material)  # the carriers are built once and stored
    copies._carriers.clear()  # the next process: nothing in memory
    forget_matching_data()
    monkeypatch.setattr(copies, "carrier_for", never_built)

    assert comparable(investigate_leak(*material)) == comparable(before)


def never_built(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("a carrier was built: it should have come from the carrier store")


class EveryFileAtOnce(attribution.DeliveredFiles):
    """The files as investigations prepared them before kinds were prepared when first needed:
    every current file and every delivered earlier version at the first lookup."""

    def get(self, original):  # type: ignore[no-untyped-def]
        if original.advisory not in self._files:
            self._files[original.advisory] = self._everything(self.advisory(original.advisory))
        return self._files[original.advisory].get(original.artifact_id)

    def _everything(self, advisory):  # type: ignore[no-untyped-def]
        from headstart.apps.delivery.models import Copy
        from headstart.errors import Invalid

        try:
            files = {d.artifact.pk: d for d in copies.deliverables(advisory)}
        except Invalid as exc:
            self.notes.append(f"{advisory.ident}: its current files cannot be prepared for reading ({exc.message})")
            files = {}
        delivered = set(Copy.objects.filter(artifact__advisory=advisory).values_list("artifact_id", flat=True))
        for commitment in advisory.commitments.order_by("-version"):
            missing = (delivered & set(commitment.artifact_ids)) - set(files)
            if missing:
                files.update(attribution.earlier_deliverables(advisory, commitment.artifact_ids, missing, self.notes))
        return files


@pytest.mark.parametrize("what", ["post", "post, procedure and PoC"])
def test_preparing_each_kind_of_file_when_first_needed_names_scores_and_reads_as_preparing_all(
        store, delivered, investigate_leak, monkeypatch, what):
    material = leaked_material(delivered)[:1] if what == "post" else leaked_material(delivered)
    with monkeypatch.context() as m:
        m.setattr(attribution, "DeliveredFiles", EveryFileAtOnce)
        everything = investigate_leak(*material)
    when_needed = investigate_leak(*material)

    assert accused(everything) == [LEAKER]
    assert comparable(when_needed) == comparable(everything)


def test_a_forum_post_of_the_write_up_does_not_prepare_the_poc_sources(store, delivered, investigate_leak, monkeypatch):
    post = leaked_material(delivered)[:1]
    prepared: list[str] = []
    cached_carrier = copies.cached_carrier

    def noting(kind: str, name: str, original: bytes, spec_text: str | None) -> Any:
        prepared.append(name)
        return cached_carrier(kind, name, original, spec_text)

    monkeypatch.setattr(copies, "cached_carrier", noting)
    result = investigate_leak(*post)

    assert accused(result) == [LEAKER]
    assert "writeup.md" in prepared
    assert not {"poc_tim_overflow.py", "poc_tim_overflow.c"} & set(prepared)


def test_a_file_this_version_cannot_prepare_is_noted_as_before_when_the_leak_is_compared_with_it(
        store, delivered, investigate_leak, monkeypatch):
    from headstart.carriers import CarrierError

    material = [*leaked_material(delivered)[:1], ("poc.c", delivered.text(LEAKER, "poc_tim_overflow.c"))]
    carrier_for = copies.carrier_for

    def not_the_c_poc(kind: str, name: str, original: bytes, **kwargs: Any) -> Any:
        if name.endswith(".c"):  # as after an upgrade whose C carrier rejects this PoC
            raise CarrierError(f"{name}: no longer parses")
        return carrier_for(kind, name, original, **kwargs)

    copies._carriers.clear()
    shutil.rmtree(store)  # every carrier is built again, by this version
    monkeypatch.setattr(copies, "carrier_for", not_the_c_poc)
    with monkeypatch.context() as m:
        m.setattr(attribution, "DeliveredFiles", EveryFileAtOnce)
        everything = investigate_leak(*material)
    when_needed = investigate_leak(*material)

    assert any("current files cannot be prepared" in note for note in everything["notes"])
    assert accused(everything) == [LEAKER]
    assert comparable(when_needed) == comparable(everything)
