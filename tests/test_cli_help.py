"""The command line's face (#31): every default shown in --help, a description per command,
usage mistakes in one line with exit code 2, one JSON indent for every command."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from snn2c.cli import _names_default, build_parser, main


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _shown(default) -> str:
    if isinstance(default, (tuple, list)):
        return ",".join(map(str, default))
    return str(default)


def _option_help(text: str, option: str) -> str:
    """The help of one option in --help's text: its lines up to the next option."""
    lines = text.splitlines()
    start = next(
        i for i, ln in enumerate(lines) if re.match(rf"\s+(-\w, )?{re.escape(option)}\b", ln)
    )
    block = [lines[start]]
    for ln in lines[start + 1 :]:
        if re.match(r"\s{2}-", ln) or not ln.startswith(" "):
            break
        block.append(ln)
    return " ".join(" ".join(block).split())


@pytest.mark.parametrize("command", ["train", "verify", "search", "flash", "monitor"])
def test_help_shows_every_default(command):
    p = _subparsers()[command]
    text = p.format_help()
    checked = 0
    for action in p._actions:
        if not _names_default(action):
            continue
        helptext = _option_help(text, action.option_strings[-1])
        assert "default" in helptext, f"{command} {action.option_strings}: {helptext}"
        # argparse wraps at hyphens: compare without the spaces wrapping inserted
        assert _shown(action.default).replace(" ", "") in helptext.replace(" ", ""), helptext
        checked += 1
    assert checked >= (20 if command == "train" else 1)


def test_help_names_defaults_the_issue_listed():
    subs = _subparsers()
    train = subs["train"].format_help()
    for flag, value in (("--lr", "0.003"), ("--threshold", "1.0"), ("--seed", "0")):
        assert f"(default: {value})" in _option_help(train, flag)
    assert "default: subtract" in _option_help(subs["train"].format_help(), "--reset")
    verify = subs["verify"].format_help()
    assert "default: qemu" in _option_help(verify, "--emulator")
    assert "300" in _option_help(verify, "--timeout")
    monitor = subs["monitor"].format_help()
    assert "harness" in _option_help(monitor, "--image")
    assert "30" in _option_help(monitor, "--timeout")


def test_every_command_has_a_description():
    for name, p in _subparsers().items():
        assert p.description and len(p.description) > 60, name


def test_report_dataset_help_lists_every_dataset_train_takes():
    from snn2c.train.datasets import DATASETS

    text = " ".join(_subparsers()["report"].format_help().split()).replace("- ", "-")
    for name in DATASETS:
        assert name in text, name


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "--hidden", "0", "-o", "x.snn"],
        ["train", "--hidden", "a,b", "-o", "x.snn"],
        ["train", "--no-such-flag", "-o", "x.snn"],
        ["verify"],
        ["trian"],
    ],
)
def test_usage_mistake_is_one_line_and_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("snn2c") and "error:" in err and "usage:" not in err


def test_json_is_indented_alike_by_every_command(capsys):
    assert main(["boards", "--json"]) == 0
    out = capsys.readouterr().out
    assert out.startswith('{\n  "boards"'), out[:40]
    json.loads(out)
    # the commands print their documents through emit_json, nowhere else
    for path in Path(__file__).parents[1].joinpath("snn2c", "cli").glob("*.py"):
        assert "print(json.dumps" not in path.read_text(), path.name


def test_flash_port_without_monitor_is_refused(tmp_path, capsys):
    assert main(["flash", str(tmp_path), "--port", "/dev/ttyACM0"]) == 2
    err = capsys.readouterr().err
    assert "--port" in err and "--monitor" in err


def test_shared_options_say_the_same_in_every_command():
    """#25: --json, -o/--output, --force and the model positional are declared once
    (cli._common): each command's help for them is one of the shared texts. (train
    still declares its own -o and --force; its module moves to the helpers with the
    trainer's work of #25.)"""
    from snn2c.cli import _common

    outputs = {text for _, text in _common.OUTPUTS.values()}
    seen = {"--json": 0, "--output": 0, "--force": 0, "model": 0}
    for name, p in _subparsers().items():
        for action in p._actions:
            key = (action.option_strings or [action.dest])[-1]
            if key == "--json":
                assert action.help == "print one JSON document", name
            elif key == "--output":
                assert action.required, name
                assert action.help in outputs or name == "train", (name, action.help)
            elif key == "--force":
                assert action.help in _common.FORCES.values() or name == "train", name
            elif key == "model":
                assert action.help == "the .snn model file", name
            else:
                continue
            seen[key] += 1
    assert seen == {"--json": 13, "--output": 7, "--force": 7, "model": 5}, seen


def test_search_result_file_is_written_as_stdout_is(tmp_path):
    """The one JSON writer: the same text on stdout and in files (indent 2)."""
    from snn2c.cli._common import json_text

    doc = {"a": [1, 2], "b": {"c": None}}
    assert json_text(doc) == json.dumps(doc, indent=2) + "\n"
    text = (Path(__file__).parents[1] / "snn2c/cli/search_cmd.py").read_text()
    assert "json_text(doc)" in text and "indent=1" not in text
