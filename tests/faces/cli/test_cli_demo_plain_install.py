"""`headstart demo` on a plain install: without the test extras (black) or clang-format, the
demo skips those leak paths, says so, and still names the leaker.

The plain install is a fresh virtualenv (no pip) that sees the project's packages through a
.pth file but has nothing in its bin directory but Python, and PATH holds only that bin: the
formatters are found neither beside the interpreter nor on PATH, as after `pip install
headstart` on a machine without them.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from cli_process import compiler_only_bin

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def plain_python(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("plain") / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(root)
    python = root / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # addsitedir, not a plain path: the project's own .pth files (its editable install) apply too.
    lines = [f"import site; site.addsitedir({p!r})" for p in site.getsitepackages()]
    (Path(purelib) / "project.pth").write_text("\n".join(lines) + "\n")
    assert sorted(p.name for p in (root / "bin").iterdir() if p.name in {"black", "clang-format"}) == []
    return python


def test_demo_without_the_formatters_skips_their_leak_paths_and_still_names_the_leaker(plain_python, tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "HEADSTART_HOME", "HEADSTART_MARKING_KEY", "HEADSTART_AUDIT_KEY",
                        "SECRET_KEY", "HEADSTART_SIGNING_KEY_FILE"}}
    # Only Python and the C toolchain Headstart requires (gcc checks C PoC copies): no formatter.
    env |= {"PATH": f"{plain_python.parent}{os.pathsep}{compiler_only_bin(tmp_path / 'toolchain')}",
            "HOME": str(tmp_path)}
    entry = "import sys; from headstart.faces.cli.main import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run([str(plain_python), "-c", entry, "demo", "--partners", "6", "--seed", "3"],
                          env=env, capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    assert "skipped: black is not installed" in done.stdout
    assert "skipped: clang-format is not installed" in done.stdout
    assert "OK: named 1 of 1 leaker(s), 0 innocent(s) accused" in done.stdout


def test_demo_with_the_formatters_skips_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "HEADSTART_HOME", "HEADSTART_MARKING_KEY", "HEADSTART_AUDIT_KEY",
                        "SECRET_KEY", "HEADSTART_SIGNING_KEY_FILE"}}
    done = subprocess.run([str(Path(sys.executable).parent / "headstart"), "demo", "--partners", "6", "--seed", "3",
                           "--json"], env=env, capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["skipped_leak_paths"] == [] and result["ok"]
