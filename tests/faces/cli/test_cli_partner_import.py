"""`headstart partner import FILE.csv`: certificates may be given as files next to the CSV."""

from __future__ import annotations

import json

import pytest

from headstart.apps.partners.models import Partner

pytestmark = pytest.mark.django_db


def test_import_reads_certificate_files_named_relative_to_the_csv(program, run_cli, tmp_path, pgp):
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "example.asc").write_text(pgp.certificate)
    csv_file = tmp_path / "partners.csv"
    csv_file.write_text("name,tier,email,pgp_cert\n"
                        "Example AV,advanced,sec@example-av.example,certs/example.asc\n"
                        "Contoso EDR,entry,,\n")
    result = run_cli("partner", "import", str(csv_file), "--json")
    assert result.code == 0, result.err
    assert [p["name"] for p in json.loads(result.out)] == ["Example AV", "Contoso EDR"]
    assert Partner.objects.get(name="Example AV").pgp_fingerprint == pgp.fingerprint


def test_a_csv_saved_with_a_byte_order_mark_imports(program, run_cli, tmp_path):
    csv_file = tmp_path / "partners.csv"
    csv_file.write_bytes("name,tier\nWoodgrove AV,entry\n".encode("utf-8-sig"))
    result = run_cli("partner", "import", str(csv_file), "--json")
    assert result.code == 0, result.err
    assert [p["name"] for p in json.loads(result.out)] == ["Woodgrove AV"]


def test_bad_rows_after_a_certificate_file_keep_their_own_line_numbers(program, run_cli, tmp_path, pgp, snapshot):
    (tmp_path / "example.asc").write_text(pgp.certificate)
    (tmp_path / "expired.asc").write_text(pgp.expired_certificate)
    csv_file = tmp_path / "partners.csv"
    csv_file.write_text("name,tier,pgp_cert\n"
                        "Example AV,advanced,example.asc\n"
                        "Other IPS,gold,\n"
                        "Missing Cert,entry,nowhere.asc\n"
                        "Old Key,entry,expired.asc\n")
    before = snapshot()
    result = run_cli("partner", "import", str(csv_file))
    assert result.code == 1
    assert result.err.count("\n") == 1 and result.err.startswith("headstart: error: nothing imported: ")
    assert "line 3: unknown tier 'gold'" in result.err
    assert "line 4: certificate file nowhere.asc does not exist" in result.err
    assert "line 5: OpenPGP certificate for 'Old Key' is unusable" in result.err
    assert "line 2" not in result.err
    assert snapshot() == before
