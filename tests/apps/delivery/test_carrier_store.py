"""Carriers kept on disk between processes: loaded instead of rebuilt, the same as a fresh build,
never unpickled unless this program wrote them, private, and a store that fails costs only time."""

from __future__ import annotations

import stat
from pathlib import Path

import numpy as np
import pytest

from headstart.apps.delivery import carrier_store, copies
from headstart.carriers import carrier_for
from headstart.samples import SAMPLE_DIR

SOURCE = (SAMPLE_DIR / "poc_tim_overflow.c").read_bytes()


@pytest.fixture
def store(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """An empty store, and nothing in this process's memory: as in a new process."""
    settings.HEADSTART_CARRIER_CACHE_DIR = tmp_path / "carriers"
    copies._carriers.clear()
    yield settings.HEADSTART_CARRIER_CACHE_DIR
    copies._carriers.clear()


def never_build(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise AssertionError("the carrier should have come from the store")


def test_a_carrier_built_in_one_process_is_loaded_by_the_next_and_copies_the_same(store, monkeypatch):
    built = copies.cached_carrier("poc-source", "poc.c", SOURCE, None)
    copies._carriers.clear()  # the next process
    monkeypatch.setattr(copies, "carrier_for", never_build)

    loaded = copies.cached_carrier("poc-source", "another-name.c", SOURCE, None)

    assert loaded is not built and loaded.alphabet_sizes == built.alphabet_sizes
    codeword = [int(v) for v in np.random.default_rng(5).integers(0, loaded.alphabet_sizes)]
    assert loaded.render(codeword) == carrier_for("poc-source", "poc.c", SOURCE).render(codeword)


class _Planted:
    """Unpickling this would create the file it names: proof that a file was unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (self.marker,))


def test_a_file_the_program_did_not_write_is_never_unpickled_and_is_replaced(store, tmp_path):
    import pickle

    marker = tmp_path / "unpickled"
    path = store / carrier_store.code_version() / carrier_store._key("c", SOURCE, None)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\0" * 32 + pickle.dumps(_Planted(marker)))

    carrier = copies.cached_carrier("poc-source", "poc.c", SOURCE, None)

    assert not marker.exists()
    assert carrier.slots
    copies._carriers.clear()
    assert carrier_store.load("c", SOURCE, None) is not None  # the file was replaced by one it wrote


def test_another_secret_key_does_not_load_the_store(store, settings):
    copies.cached_carrier("poc-source", "poc.c", SOURCE, None)
    settings.SECRET_KEY = "another program's secret key, long enough to be one" * 2
    assert carrier_store.load("c", SOURCE, None) is None


def test_a_new_version_of_the_carrier_code_starts_a_new_directory_and_removes_the_old(store, monkeypatch):
    copies.cached_carrier("poc-source", "poc.c", SOURCE, None)
    old = store / carrier_store.code_version()
    monkeypatch.setattr(carrier_store, "code_version", lambda: "a newer carrier code")
    copies._carriers.clear()

    copies.cached_carrier("poc-source", "poc.c", SOURCE, None)

    assert sorted(p.name for p in store.iterdir()) == ["a newer carrier code"]
    assert not old.exists()


def test_the_store_is_private(store):
    copies.cached_carrier("poc-source", "poc.c", SOURCE, None)
    paths = [store, *store.rglob("*")]
    assert len(paths) == 3  # the store, its code version, one carrier
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


def test_a_store_that_cannot_be_written_costs_time_not_a_result(store, settings, tmp_path):
    (tmp_path / "a file").write_text("not a directory")
    settings.HEADSTART_CARRIER_CACHE_DIR = tmp_path / "a file" / "carriers"

    carrier = copies.cached_carrier("poc-source", "poc.c", SOURCE, None)

    assert carrier.alphabet_sizes == carrier_for("poc-source", "poc.c", SOURCE).alphabet_sizes


def test_the_procedure_rendered_for_delivery_is_kept_and_read_back_unchanged_by_the_next_process(store, monkeypatch):
    spec = (SAMPLE_DIR / "tim.ksy.yaml").read_text()
    copies._procedure.cache_clear()
    rendered = copies._procedure(spec)
    copies._procedure.cache_clear()  # the next process
    monkeypatch.setattr(copies, "render_procedure", never_build)

    assert copies._procedure(spec) == rendered
    assert "{{" in rendered  # the carrier's original, with its alternatives
    copies._procedure.cache_clear()
