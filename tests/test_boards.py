"""Board files: every shipped file loads; bad files and names give one-line errors."""

from __future__ import annotations

import json

import pytest

from snn2c.boards import all_boards, board_names, load_board, load_board_file
from snn2c.cli import main
from snn2c.errors import Snn2cError
from snn2c.resources import data_dir

REQUIRED = {"nucleo-f401", "nucleo-h743zi", "nucleo-f103rb", "microbit", "esp32-c3", "esp32"}


def test_required_boards_present():
    assert set(board_names()) >= REQUIRED


def test_every_board_file_loads():
    for b in all_boards():
        assert b.flash_size > 0 and b.ram_size > 0 and b.clock_hz > 0
        assert b.platformio["platform"] and b.platformio["board"]


def test_board_facts():
    f401 = load_board("nucleo-f401")
    assert (f401.core, f401.fpu, f401.clock_hz) == ("cortex-m4", "fpv4-sp-d16", 84_000_000)
    assert (f401.flash_size, f401.ram_size) == (512 * 1024, 96 * 1024)
    assert f401.qemu.machine == "netduinoplus2" and not f401.qemu.relinked
    assert load_board("nucleo-h743zi").qemu.machine == "mps2-an500"
    assert load_board("nucleo-f103rb").qemu.machine == "mps2-an385"
    c3 = load_board("esp32-c3")
    assert c3.qemu.binary == "qemu-system-riscv32" and c3.qemu.machine == "virt"
    assert "-march=rv32imc" in c3.cflags
    esp32 = load_board("esp32")
    assert esp32.qemu is None and not esp32.buildable_here
    assert "xtensa-esp32-elf-gcc" in esp32.missing_toolchain


def test_unknown_board_lists_known_ones():
    with pytest.raises(Snn2cError, match=r"unknown board 'nope' \(known boards: .*nucleo-f401"):
        load_board("nope")


def _doc():
    return json.loads((data_dir("boards") / "nucleo-f401.json").read_text())


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("memory"), "missing field 'memory'"),
        (lambda d: d["memory"]["flash"].update(size=-1), "memory.flash.size"),
        (lambda d: d["memory"]["ram"].update(origin="zz"), "memory.ram.origin"),
        (lambda d: d.update(family="avr"), "field 'family'"),
        (lambda d: d["uart"].update(driver="bitbang"), "uart.driver"),
        (lambda d: d.update(name="other"), "field 'name'"),
        (lambda d: d["toolchain"].update(cflags="-O2"), "toolchain.cflags"),
        (lambda d: d["supply"].update(run_current_ma=-1), "supply.run_current_ma"),
        (lambda d: d["supply"].update(voltage_v="3.3"), "supply.voltage_v"),
        (lambda d: d["supply"].pop("source"), "source"),
    ],
)
def test_bad_board_file(tmp_path, mutate, message):
    doc = _doc()
    mutate(doc)
    path = tmp_path / "nucleo-f401.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(Snn2cError, match=message) as e:
        load_board_file(path)
    assert str(path) in str(e.value) and "\n" not in str(e.value)


def test_not_json(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{")
    with pytest.raises(Snn2cError, match="not valid JSON"):
        load_board_file(path)


def test_boards_command(capsys):
    assert main(["boards"]) == 0
    text = capsys.readouterr().out
    assert "nucleo-f401" in text and "netduinoplus2" in text and "PlatformIO only" in text
    lines = {line.split()[0]: line for line in text.splitlines()[1:]}
    assert "from stm32f4.repl" in lines["nucleo-f401"]  # the Renode column
    assert "stand-in (cortex-m7)" in lines["nucleo-h743zi"]
    assert "not supported" in lines["esp32"]
    assert main(["boards", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)["boards"]}
    assert rows["esp32"]["emulator"] is None
    assert rows["esp32-c3"]["emulator"] == "qemu virt"


def test_energy_estimate_takes_the_board_files_supply(tmp_path):
    from snn2c.report.target import estimate

    board = load_board("nucleo-f401")
    assert board.supply is not None and board.supply.run_current_ma == 12.3
    est = estimate(board, 84_000, current_ma=None, voltage=None, cpi=1.0)
    # 84,000 cycles at 84 MHz = 1 ms at 12.3 mA and 3.3 V: 40.59 uJ
    assert est["current_source"] == board.supply.source
    assert abs(est["energy_uj"] - 3.3 * 12.3) < 1e-9
    # a board file without a supply section: no current, no energy, unless given
    doc = _doc()
    doc.pop("supply")
    path = tmp_path / "nucleo-f401.json"
    path.write_text(json.dumps(doc))
    bare = load_board_file(path)
    assert "energy_uj" not in estimate(bare, 84_000, current_ma=None, voltage=None, cpi=1.0)
    given = estimate(bare, 84_000, current_ma=10.0, voltage=None, cpi=1.0)
    assert abs(given["energy_uj"] - 3.3 * 10.0) < 1e-9


def test_every_core_family_names_files_that_exist():
    from snn2c.boards import FAMILIES, family_runtime

    for family in FAMILIES:
        rt = family_runtime(family)
        for name in [*rt.startup, *([rt.semihost_exit] if rt.semihost_exit else [])]:
            assert (data_dir("firmware") / name).is_file(), (family, name)
        if rt.linker_script:
            assert (data_dir("templates") / "firmware" / rt.linker_script).is_file(), family
    # every board's family has one, and Cortex-M and RISC-V run in the emulators
    assert family_runtime("cortex-m").semihost_exit == "exit_semihost_arm.c"
    assert family_runtime("riscv").startup[0] == "startup_riscv.S"


def test_board_names_fold_case_and_suggest_a_near_name():
    assert load_board("Nucleo-F401").name == "nucleo-f401"
    with pytest.raises(Snn2cError, match=r"did you mean 'nucleo-f401'\?"):
        load_board("nucleo-f411")


def test_boards_table_sizes_alignment_and_cost_model(capsys):
    """#31: the ESP32-C3's flash is 4 MiB (not 4095 KiB), every column starts at the same
    place on every line, and the table says which boards have a cost model."""
    assert main(["boards"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header, rows = lines[0], [ln for ln in lines[1:] if ln.split()[0] in board_names()]
    assert len(rows) == len(board_names())
    c3 = next(r for r in rows if r.startswith("esp32-c3 "))
    assert " 4 MiB " in c3 and "4095" not in c3
    assert " 512 KiB " in next(r for r in rows if r.startswith("nucleo-f401 "))
    for column in ("emulator", "renode", "flashed via", "cost model", "build"):
        at = header.index(column)
        for row in rows:
            assert row[at - 2 : at] == "  " and row[at] != " ", (column, row)
    assert header.index("cost model") > 0
    from snn2c.search.costmodel import path_for

    for row in rows:
        name = row.split()[0]
        at = header.index("cost model")
        assert row[at:].split()[0] == ("yes" if path_for(name).is_file() else "no"), row
    assert main(["boards", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {r["name"]: r["cost_model"] for r in doc["boards"]}["nucleo-f401"] is True


def test_size_text():
    from snn2c.cli.boards_cmd import size_text

    assert size_text(4194272) == "4 MiB" and size_text(2 << 20) == "2 MiB"
    assert size_text(96 * 1024) == "96 KiB" and size_text(3342304) == "3264 KiB"
