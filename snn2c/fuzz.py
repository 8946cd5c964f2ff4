"""Mutation fuzzing of the model-file path: mutated .snn documents through loading,
quantization and code generation. Every failure must be an Snn2cError (the CLI's
one-line error); anything else is a bug. Used by tests/test_fuzz.py (a bounded,
seeded run in CI) and benchmarks/fuzz.py (long runs)."""

from __future__ import annotations

import collections
import json
import random
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as np

from snn2c import modelfile
from snn2c.contract import Encoder
from snn2c.errors import Snn2cError
from snn2c.netgen import random_network

# values that broke or could break the loader, the quantizer or the generator
VALUES = [
    None,
    True,
    False,
    0,
    -1,
    1,
    2**31,
    -(2**31) - 1,
    2**63,
    10**400,
    1e300,
    -1e300,
    1e-300,
    0.5,
    "",
    "x",
    "nan",
    [],
    {},
    [1],
    [[1]],
    {"a": 1},
    "\n*/",
    4097,
    257,
    65536,
    1e15,
    -1e15,
    float(2**53),
]
SCALES = [-1, 0, 2, 1e3, 1e6, 1e12, 1e-6, 1e20]


@dataclass
class FuzzReport:
    cases: int = 0
    failures: collections.Counter = field(default_factory=collections.Counter)
    examples: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def bugs(self) -> int:
        return sum(self.failures.values())

    def attempt(self, fn, sample: str, expected: tuple[type[BaseException], ...] = (Snn2cError,)):
        """One case: fn() may fail with an expected exception; any other is a finding,
        kept by exception type and line with its first message and input sample."""
        self.cases += 1
        try:
            fn()
        except expected:
            pass
        except Exception as e:  # every other exception is a finding
            tb = traceback.extract_tb(e.__traceback__)[-1]
            where = f"{type(e).__name__} at {tb.filename.rsplit('/', 1)[-1]}:{tb.lineno}"
            self.failures[where] += 1
            self.examples.setdefault(where, (str(e)[:200], sample[:400]))


def _json(doc) -> str | None:
    """A mutated document as JSON text, or None where JSON cannot hold it."""
    try:
        return json.dumps(doc)
    except (ValueError, OverflowError):
        return None


def base_documents() -> list[dict]:
    docs = []
    for s, enc in enumerate(Encoder):  # one model of every encoder kind
        net = random_network(s, encoder=enc, n_features=2, hidden=(4,), steps=4)
        docs.append(json.loads(modelfile.dumps(net)))
    return docs


def _paths(rng: random.Random, doc, prefix=()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(rng, v, (*prefix, k))
    elif isinstance(doc, list) and doc:
        i = rng.randrange(len(doc))
        out += _paths(rng, doc[i], (*prefix, i))
    return out


def mutate(rng: random.Random, doc: dict) -> dict:
    """One to three edits: drop a key, grow or shrink a list, scale a number, or
    replace a value by one of VALUES."""
    doc = json.loads(json.dumps(doc))
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_paths(rng, doc)[1:])
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        key, r = path[-1], rng.random()
        v = parent[key]
        if r < 0.15 and isinstance(parent, dict):
            parent.pop(key)
        elif r < 0.25 and isinstance(v, list) and v:
            parent[key] = v[:-1] if rng.random() < 0.5 else v + v[-1:]
        elif r < 0.45 and isinstance(v, int | float) and not isinstance(v, bool):
            try:
                parent[key] = v * rng.choice(SCALES)
            except OverflowError:
                parent[key] = 10**5000
        else:
            parent[key] = json.loads(json.dumps(rng.choice(VALUES)))
    return doc


def run(cases: int, seed: int = 0, *, codegen_every: int = 10) -> FuzzReport:
    """cases mutated documents; numpy warnings count as failures (silent overflow)."""
    from snn2c.codegen.generator import render_sources
    from snn2c.quantize import quantize

    rng = random.Random(seed)
    bases = base_documents()
    rep = FuzzReport()
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error", RuntimeWarning)
        for i in range(cases):
            raw = _json(mutate(rng, rng.choice(bases)))
            if raw is None:
                continue

            def case(raw: str = raw, codegen: bool = i % codegen_every == 0) -> None:
                net = modelfile.loads(raw.encode(), source="fuzz.snn")
                qnet = quantize(net)
                if codegen:
                    render_sources(qnet)

            rep.attempt(case, raw)
    return rep


def run_boards(cases: int, seed: int = 0) -> FuzzReport:
    """Mutated board files (boards/*.json) through the board loader."""
    import tempfile
    from pathlib import Path

    from snn2c.boards import load_board_file
    from snn2c.resources import data_dir

    rng = random.Random(seed)
    bases = [json.loads(p.read_text()) for p in sorted(data_dir("boards").glob("*.json"))]
    rep = FuzzReport()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "board.json"
        for _ in range(cases):
            raw = _json(mutate(rng, rng.choice(bases)))
            if raw is None:
                continue
            path.write_text(raw)
            rep.attempt(lambda: load_board_file(path, check_file_name=False), raw)
    return rep


CSV_CELLS = [
    "1",
    "-2.5",
    "",
    "nan",
    "inf",
    "-inf",
    "1e309",
    "x",
    '"1,2"',
    '"',
    "\x00",
    "é",
    "1" * 20,
    " 3 ",
    "0x10",
    "1_000",
    "--1",
    "9" * 200,
]


def run_csv(cases: int, seed: int = 0) -> FuzzReport:
    """Mutated CSV files through the CSV reader of `snn2c predict` and `snn2c train`."""
    import tempfile
    from pathlib import Path

    from snn2c.csvdata import read_columns

    rng = random.Random(seed)
    rep = FuzzReport()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.csv"
        for _ in range(cases):
            cols = [rng.choice(["x0", "x1", "y", "", "x0 ", "é"]) for _ in range(rng.randint(1, 4))]
            rows = [
                [rng.choice(CSV_CELLS) for _ in range(rng.randint(0, len(cols) + 1))]
                for _ in range(rng.randint(0, 5))
            ]
            text = "\n".join([",".join(cols), *(",".join(r) for r in rows)])
            if rng.random() < 0.1:
                text = text[: rng.randint(0, len(text))]
            data = text.encode("utf-8")
            if rng.random() < 0.05:
                data = b"\xff\xfe" + data  # not UTF-8
            path.write_bytes(data)
            rep.attempt(lambda: read_columns(path, ["x0", "x1"]), text)
    return rep


def run_nir_sidecars(cases: int, seed: int = 0) -> FuzzReport:
    """Graphs written by `snn2c export-nir` with their snn2c sidecar mutated, through
    `import-nir` (needs the nir package)."""
    from snn2c.nir.exporter import export_network
    from snn2c.nir.importer import SIDECAR_KEY, ImportOptions, import_graph

    rng = random.Random(seed)
    graphs = []
    for s, enc in enumerate((Encoder.POPULATION, Encoder.DIRECT, Encoder.RATE_PERIODIC)):
        g = export_network(random_network(s, encoder=enc, n_features=2, hidden=(4,), steps=4))
        graphs.append((g, json.loads(g.metadata[SIDECAR_KEY])))
    rep = FuzzReport()
    for _ in range(cases):
        graph, side = rng.choice(graphs)
        raw = _json(mutate(rng, side))
        if raw is None:
            continue
        graph.metadata[SIDECAR_KEY] = raw
        rep.attempt(lambda g=graph: import_graph(g, ImportOptions(), source="fuzz.nir"), raw)
    for graph, side in graphs:
        graph.metadata[SIDECAR_KEY] = json.dumps(side)
    return rep


def run_manifests(cases: int, seed: int = 0) -> FuzzReport:
    """Mutated build manifests (snn2c-build.json) through the loader `verify` and
    `report --build` use, on a build folder written without compiling."""
    import tempfile
    from pathlib import Path

    from snn2c.boards import load_board
    from snn2c.build import project
    from snn2c.quantize import quantize

    rng = random.Random(seed)
    rep = FuzzReport()
    net = random_network(2)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "b"
        manifest = project.write_project(
            quantize(net), load_board("nucleo-f401"), root, force=True, command="fuzz"
        )
        manifest["size"] = {"flash_bytes": 1, "ram_bytes": 1}
        path = root / project.MANIFEST
        for _ in range(cases):
            raw = _json(mutate(rng, manifest))
            if raw is None:
                continue
            path.write_text(raw)
            rep.attempt(lambda: project.load_project(root, complete=True), raw)
    return rep


def run_cli(cases: int, seed: int = 0) -> FuzzReport:
    """Random option values for the quick commands (inspect, compile, predict, verify,
    boards, export-nir): every outcome must be an exit code, never an exception."""
    import contextlib
    import io
    import tempfile
    from pathlib import Path

    from snn2c.cli import main

    rng = random.Random(seed)
    rep = FuzzReport()
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        model = t / "m.snn"
        modelfile.save(random_network(1), model)
        (t / "x.csv").write_text("x0,x1,x2\n1,2,3\nnan,1,1\n")
        (t / "folder").mkdir()
        paths = [
            str(model),
            str(t / "none.snn"),
            str(t / "folder"),
            str(t / "x.csv"),
            "",
            "-",
            str(t / "out"),
            str(t / "out/deep/er"),
            str(model) + "/x",
        ]
        values = ["nan", "-1", "0", "1e309", "abc", "3", "4096", "-1:1", "0:1,2:3", "x"]
        commands = [
            ("inspect", ["MODEL"], ["--json"]),
            ("compile", ["MODEL", "-o", "PATH"], ["--force", "--count-spikes"]),
            ("predict", ["MODEL", "--input", "PATH", "-o", "PATH"], ["--mode", "fixed", "--json"]),
            ("verify", ["PATH"], ["--vectors", "VALUE", "--timeout", "VALUE", "--seed", "VALUE"]),
            ("boards", [], ["--json"]),
            ("export-nir", ["MODEL", "-o", "PATH"], ["--force"]),
        ]
        for _ in range(cases):
            cmd, required, optional = rng.choice(commands)
            argv = [cmd]
            for tok in required + rng.sample(optional, rng.randint(0, len(optional))):
                if tok == "MODEL":
                    argv.append(rng.choice([str(model)] * 3 + paths))
                elif tok == "PATH":
                    argv.append(rng.choice(paths))
                elif tok == "VALUE":
                    argv.append(rng.choice(values))
                else:
                    argv.append(tok)

            def case(argv: list[str] = argv) -> None:
                sink = io.StringIO()
                # in the scratch folder: relative and empty paths stay inside it
                with (
                    contextlib.chdir(t),
                    contextlib.redirect_stdout(sink),
                    contextlib.redirect_stderr(sink),
                ):
                    main(argv)

            rep.attempt(case, " ".join(argv), expected=(SystemExit,))  # argparse: exit 2
    return rep
