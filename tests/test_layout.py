"""The four import packages come from this project, not from another installed package."""

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["assistant", "index", "ui", "eval"])
def test_each_package_imports_from_this_project(name):
    module = importlib.import_module(name)
    assert Path(module.__file__).resolve().parent == ROOT / name


def test_assistant_imports_none_of_the_other_packages():
    offenders = []
    for path in (ROOT / "assistant").rglob("*.py"):
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith(("import ", "from ")) and any(
                stripped.split()[1].split(".")[0] == other for other in ("index", "ui", "eval")
            ):
                offenders.append(f"{path.name}: {stripped}")
    assert offenders == []


def test_segmenting_does_not_import_heavy_libraries():
    import subprocess
    import sys

    code = "import index.segment, index.load, sys; print(sorted(m for m in ('torch','chromadb','gradio','llama_index') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
