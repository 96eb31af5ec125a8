"""The core is its own distribution (microdegree-vc): the platform uses its public facade only,
and every core module imports with Django unavailable."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import microdegree.cli
import microdegree.vc

PLATFORM = Path(microdegree.cli.__file__).parent  # src/microdegree: the Django apps and the CLI


def _private(dotted: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in dotted.split("."))


def _core_imports(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every microdegree.vc import in one module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("microdegree.vc"):
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names
                      if alias.name.startswith("microdegree.vc")]
    return found


def test_the_scanner_sees_a_private_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from microdegree.vc.builders import _common as c\n"
                      "from microdegree.vc.builders import EU_TERMS\n"
                      "import microdegree.vc._fast\n")
    private = [name for _, name in _core_imports(module) if _private(name)]
    assert private == ["microdegree.vc.builders._common", "microdegree.vc._fast"]


def test_the_platform_imports_only_the_cores_public_modules_and_names():
    modules = sorted(PLATFORM.rglob("*.py"))
    assert len(modules) > 100
    assert not (PLATFORM / "vc").exists()
    private = [f"{path.relative_to(PLATFORM)}:{line}: {name}"
               for path in modules for line, name in _core_imports(path) if _private(name)]
    assert private == []


def test_every_core_module_imports_without_django():
    """Django blocked (an import of it raises ImportError): all of microdegree.vc still imports."""
    names = sorted(info.name for info in pkgutil.walk_packages(
        microdegree.vc.__path__, prefix="microdegree.vc."))
    assert "microdegree.vc.verify" in names
    assert "microdegree.vc.extract.pdf" in names
    code = (
        "import importlib, sys\n"
        "sys.modules['django'] = None  # any import of django now raises ImportError\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print('imported', len(sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("imported")
