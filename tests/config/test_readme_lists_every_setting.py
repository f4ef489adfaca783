"""The README's configuration table names every variable Headstart reads from the environment.

The names are read from the source (settings.py's env readers, and the commands that read
their own: serve's HEADSTART_WORKERS, remote's HEADSTART_URL and HEADSTART_TOKEN), so a
setting added without its README row fails here, naming it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SOURCES = [REPO / "src/headstart/config/settings.py", REPO / "src/headstart/faces/cli/commands/serve.py",
           REPO / "src/headstart/faces/cli/commands/remote.py"]
ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def _reads(tree: ast.AST) -> set[str]:
    """Names passed to an env reader (env_str, env_int, ..., or a helper that takes the name
    first, like _positive) or to os.environ.get / os.getenv / os.environ[...]."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            reads_env = called.startswith("env_") or called in ("getenv", "_positive") or (
                called == "get" and isinstance(func, ast.Attribute) and ast.unparse(func.value) == "os.environ")
            if reads_env and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ" \
                and isinstance(node.slice, ast.Constant) and isinstance(node.ctx, ast.Load):
            names.add(str(node.slice.value))
    return {n for n in names if ENV_NAME.fullmatch(n)}


def read_from_environment() -> set[str]:
    return set().union(*(_reads(ast.parse(path.read_text())) for path in SOURCES))


def readme_table() -> set[str]:
    text = (REPO / "README.md").read_text()
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])}


def test_the_source_scan_finds_the_settings_it_should():
    found = read_from_environment()

    assert {"HEADSTART_HOME", "HEADSTART_SESSION_SECONDS", "HEADSTART_LOGIN_FAILURE_LIMIT", "HEADSTART_WORKERS",
            "HEADSTART_INTAKE_MAX_DEPTH", "HEADSTART_URL", "DATABASE_URL", "EMAIL_HOST"} <= found


def test_every_setting_read_from_the_environment_is_in_the_readme_table():
    missing = sorted(read_from_environment() - readme_table())

    assert missing == [], f"README.md, Configuration: add a row (meaning and default) for {', '.join(missing)}"


def test_the_readme_table_lists_no_setting_that_nothing_reads():
    unread = sorted(readme_table() - read_from_environment())

    assert unread == [], f"README.md, Configuration: nothing reads {', '.join(unread)}"
