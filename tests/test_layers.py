"""The folder layout is the layering: pure libraries never reach up into Django or the faces."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import headstart

PACKAGE = Path(headstart.__file__).parent
PURE_LAYERS = ["marking", "carriers", "triggers", "leaks"]
ABOVE_THE_PURE_LAYERS = ("django", "ninja", "headstart.apps", "headstart.faces", "headstart.config")


def imported_modules(source: str, package: str) -> set[str]:
    """Every module some source imports, made absolute, including imports inside functions.

    ``package`` is the package the source belongs to (for relative imports)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                parts = package.split(".")
                module = ".".join(parts[: len(parts) - (node.level - 1)] + ([module] if module else []))
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def violations(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        package = ".".join(("headstart",) + path.relative_to(PACKAGE).parent.parts)
        for module in sorted(imported_modules(path.read_text(encoding="utf-8"), package)):
            if any(module == f or module.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(PACKAGE)} imports {module}")
    return bad


@pytest.mark.parametrize("layer", PURE_LAYERS)
def test_pure_libraries_never_import_django_or_the_upper_layers(layer):
    assert (PACKAGE / layer).is_dir(), f"headstart/{layer} is missing"
    assert violations(layer, ABOVE_THE_PURE_LAYERS) == []


def test_the_apps_never_import_the_faces():
    assert violations("apps", ("headstart.faces",)) == []


def test_the_checker_sees_relative_imports_and_imports_inside_functions():
    source = "import numpy\ndef f():\n    from ..apps.partners import models\n    import django.db\n"
    modules = imported_modules(source, "headstart.marking")
    assert {"numpy", "headstart.apps.partners", "headstart.apps.partners.models", "django.db"} <= modules
    assert imported_modules("from . import codes\n", "headstart.marking") == {"headstart.marking",
                                                                              "headstart.marking.codes"}
