"""Stages only import earlier stages (issue 15, finding 4; docs/architecture.md).

Every `from snn2c... import` in the package, at module level or inside a function,
must point to the same stage or to one listed before it here. A cycle such as the
old build <-> emulate one fails this test.
"""

from __future__ import annotations

import ast
from pathlib import Path

import snn2c

# in pipeline order; modules on one line are one layer and may import each other
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__version__", "errors", "textsafe", "resources", "contract"),
    ("ir", "csvdata", "boards"),
    ("modelfile", "netgen", "scoring"),
    ("quantize",),
    ("reference",),
    ("train", "nir"),
    ("codegen",),
    ("build",),
    ("emulate",),
    ("deploy", "report"),
    ("search",),
    ("cli", "fuzz", "__main__"),
)
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}
ROOT = Path(snn2c.__file__).parent


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports() -> list[tuple[str, str, str]]:
    """(file, importing stage, imported stage) for every snn2c import in the package."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        stage = _stage(".".join(rel.parts))
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == "snn2c":
                    targets = [f"snn2c.{a.name}" for a in node.names]
                elif node.module.startswith("snn2c."):
                    targets = [node.module]
                else:
                    continue
                found += [(str(rel), stage, _stage(t)) for t in targets]
            elif isinstance(node, ast.Import):
                found += [
                    (str(rel), stage, _stage(a.name))
                    for a in node.names
                    if a.name.startswith("snn2c.")
                ]
    return found


def test_every_stage_is_placed():
    stages = {
        p.stem if p.is_file() else p.name
        for p in ROOT.iterdir()
        if p.suffix == ".py" or (p / "__init__.py").exists()
    }
    stages -= {"__init__"}
    assert stages <= set(RANK) | {"_data"}, sorted(stages - set(RANK))


def test_stages_import_only_earlier_stages():
    backwards = [
        f"{file}: {stage} imports {target}"
        for file, stage, target in imports()
        if stage != "__init__" and target != stage and RANK[target] > RANK[stage]
    ]
    assert backwards == []


def test_the_scan_sees_function_level_imports():
    # fuzz imports build inside a function: the scan reads whole files, not only their tops
    assert ("snn2c/fuzz", "fuzz", "build") in imports()
