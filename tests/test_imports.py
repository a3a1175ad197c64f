"""No import inside a function body to dodge a cycle: import-linter sees only what a module
imports, so an import hidden in a function would let a cycle back in unseen."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "incidents", "notifications")

# (file, function, module imported): why it cannot be at the top of its module.
ALLOWED = {
    ("incidents/apps.py", "IncidentsConfig.ready", "incidents.access.connect_receivers"):
        "Django imports apps.py before the model registry is ready, and incidents.access uses the auth "
        "models; ready() is where Django says to connect signal receivers.",
    ("notifications/apps.py", "NotificationsConfig.ready", "notifications.delivery.webhooks"):
        "Django imports apps.py before the model registry is ready, and webhooks imports models; "
        "ready() is where Django says to connect signal receivers.",
    ("notifications/apps.py", "NotificationsConfig.ready", "notifications.notices.pdf"):
        "Django imports apps.py before the model registry is ready, and pdf imports models; "
        "ready() is where Django says to register system checks.",
}


def _function_imports(path: Path) -> set[tuple[str, str, str]]:
    relative = path.relative_to(ROOT).as_posix()
    found: set[tuple[str, str, str]] = set()

    def visit(node: ast.AST, scope: list[str], in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                visit(child, [*scope, child.name], in_function or not isinstance(child, ast.ClassDef))
                continue
            if in_function and isinstance(child, ast.Import):
                found.update((relative, ".".join(scope), alias.name) for alias in child.names)
            elif in_function and isinstance(child, ast.ImportFrom):
                found.update((relative, ".".join(scope), f"{child.module}.{alias.name}") for alias in child.names)
            visit(child, scope, in_function)

    visit(ast.parse(path.read_text(encoding="utf-8")), [], False)
    return found


def _product_files() -> list[Path]:
    return [
        path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def test_no_product_module_imports_inside_a_function_except_the_listed_few():
    found = set().union(*(_function_imports(path) for path in _product_files()))

    assert found - set(ALLOWED) == set(), "move these imports to the top of their module (or list them, with why)"
    assert set(ALLOWED) - found == set(), "these listed imports are gone: take them off the list"


def test_the_walk_finds_an_import_inside_a_method(tmp_path, monkeypatch):
    monkeypatch.setattr("tests.test_imports.ROOT", tmp_path)
    module = tmp_path / "example.py"
    module.write_text("import os\n\nclass A:\n    def run(self):\n        from json import loads\n        return loads\n")

    assert _function_imports(module) == {("example.py", "A.run", "json.loads")}
