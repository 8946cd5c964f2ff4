"""`snn2c train` end to end on tiny budgets: JSON shape, determinism, user errors."""

from __future__ import annotations

import json

import pytest

pytest.importorskip(
    "torch",
    reason="needs torch (pip install 'snn2c[train]'); scripts/setup.sh installs it and CI fails on any skip",
)
pytest.importorskip(
    "sklearn",
    reason="needs sklearn (pip install 'snn2c[train]'); scripts/setup.sh installs it and CI fails on any skip",
)

from snn2c import modelfile
from snn2c.cli import main

TINY = [
    "--dataset",
    "friedman1",
    "--samples",
    "300",
    "--hidden",
    "8",
    "--readout",
    "2",
    "--steps",
    "4",
    "--epochs",
    "2",
    "--qat-epochs",
    "1",
    "--seed",
    "5",
]


def _train(tmp_path, name, *extra, capsys=None):
    out = tmp_path / name
    rc = main(["train", *TINY, *extra, "-o", str(out), "--json"])
    return rc, out


def test_json_document_shape(tmp_path, capsys):
    rc, out = _train(tmp_path, "m.snn")
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["model"] == str(out)
    assert doc["dataset"] == "friedman1"
    assert (doc["encoder"], doc["decoder"], doc["steps"]) == ("population", "membrane", 4)
    for key in ("float", "quantized", "ann", "linear"):
        assert set(doc["metrics"][key]) >= {"mse", "r2"}
        assert 0 <= doc["metrics"][key]["mse"] < 10
    assert doc["spikes_per_inference"] >= 0
    net = modelfile.load(out)
    assert net.steps == 4 and net.layers[-1].neuron.kind == "li"
    assert doc["model_hash"] == modelfile.model_hash(net)


def test_same_seed_same_bytes(tmp_path, capsys):
    _train(tmp_path, "a.snn", "--no-baseline", "--decoder", "rate")
    _train(tmp_path, "b.snn", "--no-baseline", "--decoder", "rate")
    _train(tmp_path, "c.snn", "--no-baseline", "--decoder", "rate", "--lr", "0.01")
    capsys.readouterr()
    a, b, c = ((tmp_path / n).read_bytes() for n in ("a.snn", "b.snn", "c.snn"))
    assert a == b
    assert a != c


def test_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "m.snn"
    out.write_text("mine")
    rc = main(["train", *TINY, "-o", str(out)])
    assert rc == 2
    assert "already exists (use --force" in capsys.readouterr().err
    assert out.read_text() == "mine"


def test_csv_error_is_one_line(tmp_path, capsys):
    p = tmp_path / "d.csv"
    p.write_text("a,b,y\n1,2,3\n1,x,3\n")
    rc = main(["train", "--dataset", f"csv:{p}", "--target", "y", "-o", str(tmp_path / "m.snn")])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.count("\n") == 1 and "line 3, column 'b'" in err and "Traceback" not in err


def test_human_summary(tmp_path, capsys):
    out = tmp_path / "m.snn"
    assert main(["train", *TINY, "--no-baseline", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "integer SNN" in text and "spikes per inference" in text


def test_cli_defaults_are_the_config_defaults():
    """Every TrainConfig field is an option of `snn2c train` with the same default."""
    import dataclasses

    from snn2c.cli import build_parser
    from snn2c.cli.train_cmd import config_from_args
    from snn2c.train.trainer import TrainConfig

    args = build_parser().parse_args(["train", "-o", "x.snn"])
    cfg = config_from_args(args, TrainConfig)
    for f in dataclasses.fields(TrainConfig):
        assert getattr(cfg, f.name) == getattr(TrainConfig(), f.name), f.name
    args = build_parser().parse_args(
        ["train", "-o", "x.snn", "--weight-decay", "0.01", "--samples", "50"]
    )
    cfg = config_from_args(args, TrainConfig)
    assert (cfg.weight_decay, cfg.n_samples) == (0.01, 50)


def test_weight_decay_trains_and_is_checked(tmp_path, capsys):
    rc, _ = _train(tmp_path, "wd.snn", "--weight-decay", "0.05")
    assert rc == 0
    capsys.readouterr()
    rc, _ = _train(tmp_path, "bad.snn", "--weight-decay", "nan")
    assert rc == 2 and "--weight-decay" in capsys.readouterr().err
