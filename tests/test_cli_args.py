"""Every option value is parsed strictly, and a wrong one is a usage error: exit 2, one line
`zksolv: error: …`, escaped, before any file is touched (SPEC.md §8)."""

import pytest

from clikit import invoke, one_error_line
from zksolv.attestation import prove as prove_module
from zksolv.errors import InvalidProof

PROVE = ["prove", "--ledger", "l.csv", "--reserves", "r.json", "--out", "att", "--state", "s.db"]
HEX = "ab" * 32

BAD_VALUES = [
    *[PROVE + ["--capacity", v] for v in ["８", "+8", " 8", "8 ", "1_024", "08", "0", "-8", "3", "1e3", "",
                                         str(1 << 33), "9" * 5000]],
    *[PROVE + ["--chunk", v] for v in ["８", "3", "64.0", ""]],
    *[PROVE + ["--workers", v] for v in ["０", "0", "257", "1 ", "+1", ""]],
    *[PROVE + ["--coverage", v] for v in ["", " ", "abc", "99.9", "１05", "105%", "1" + "0" * 5000, "105.00001",
                                         "-105", "1e3", "inf", "nan"]],
    *[PROVE + ["--timestamp", v] for v in ["2026-13-45T99:99:99Z", "2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z",
                                          "2026-01-01T00:00:60Z", "２026-01-01T00:00:00Z", "2026-01-01 00:00:00Z",
                                          "2026-01-01T00:00:00", "0000-01-01T00:00:00Z", "now", ""]],
    *[PROVE + ["--previous", v] for v in [HEX[:62] + " " + HEX[62:], " " + HEX, HEX[:63], HEX + "0", "g" * 64,
                                         "ａ" * 64, "0x" + HEX[2:], ""]],
    *[PROVE + ["--scheduler", v] for v in ["", "localhost", "tcp://a b", "tcp://", "tcp://\udcff:1"]],
    *[PROVE[:-2] + ["--state", ""], PROVE[:2] + ["", *PROVE[3:]]],
    *[["inclusion", "--state", "s.db", "--user", v] for v in ["", "a\nb", "\udcff\udcfe", "x" * 257, "\x1b[31m"]],
    *[["verify-inclusion", "p.json", "--attestation", "att", "--user", v] for v in ["", "tab\there"]],
    *[["verify-inclusion", "p.json", "--attestation", "att", "--balance", v]
      for v in ["BTC", "BTC=", "=1", "BTC=1e5", "BTC=--1", "BTC=+1", "BTC=１", "BTC=1.", "BTC=.5", "BTC=1,5", "BTC=" + "9" * 99]],
    ["verify-inclusion", "p.json", "--attestation", "att", "--balance", "BTC=1", "--balance", "BTC=2"],
    *[["demo", "--users", v] for v in ["０", "0", str((1 << 20) + 1), "1.0"]],
    *[[command, "", *rest] for command, rest in [("verify", []), ("audit", []),
                                                  ("verify-inclusion", ["--attestation", "att"])]],
    ["audit", "att", "--workers", "٣"],
    ["--backend", "NATIVE", "backends"],
]


@pytest.mark.parametrize("args", BAD_VALUES)
def test_a_bad_option_value_is_one_usage_line(args, tmp_path):
    outcome = invoke(*args, cwd=tmp_path)
    assert outcome.code == 2, outcome
    assert one_error_line(outcome), outcome.stderr
    assert all(c.isprintable() for c in outcome.stderr[:-1])  # echoed input is escaped
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [["prove"], ["nonsense"], ["verify"], ["verify", "a", "b"], ["prove", "--bogus"],
                                  [], ["inclusion", "--state"]])
def test_click_usage_errors_are_one_line(args):
    outcome = invoke(*args)
    assert outcome.code == 2 and one_error_line(outcome), outcome


@pytest.fixture
def captured(monkeypatch):
    """The Options `prove` would run with (the run itself is stopped: exit 1)."""
    seen = {}

    def fake_run(ledger, reserves, out, state, options, report, **kwargs):
        seen["options"] = options
        raise InvalidProof("stopped by the test")
    monkeypatch.setattr(prove_module, "run", fake_run)
    return seen


def test_accepted_values_are_normalized(captured):
    outcome = invoke(*PROVE, "--previous", HEX.upper(), "--timestamp", "2024-02-29T23:59:59Z", "--capacity",
                     "1024", "--coverage", "105.5", "--workers", "3", "--scheduler", "tcp://10.0.0.1:8786")
    assert outcome.code == 1, outcome
    options = captured["options"]
    assert (options.previous, options.timestamp, options.capacity, options.coverage_percent, options.workers,
            options.scheduler) == (HEX, "2024-02-29T23:59:59Z", 1024, "105.5", 3, "tcp://10.0.0.1:8786")


@pytest.mark.parametrize("content", [b"", b"00" * 31, b"00 " * 32, b"zz" * 32, b"\xff" * 64, b"00" * 32 + b"00"])
def test_round_secret_file_content_is_malformed_input(tmp_path, captured, content):
    (tmp_path / "secret").write_bytes(content)
    outcome = invoke(*PROVE, "--round-secret-file", tmp_path / "secret")
    assert outcome.code == 3 and one_error_line(outcome) and "options" not in captured


def test_round_secret_file_that_is_a_fifo_is_refused_without_blocking(tmp_path, captured):
    import os

    os.mkfifo(tmp_path / "secret")
    outcome = invoke(*PROVE, "--round-secret-file", tmp_path / "secret", seconds=5)
    assert outcome.code == 3 and "not a regular file" in outcome.stderr


def test_round_secret_file_accepted_with_a_newline(tmp_path, captured):
    (tmp_path / "secret").write_text(HEX.upper() + "\n")
    assert invoke(*PROVE, "--round-secret-file", tmp_path / "secret").code == 1
    assert captured["options"].round_secret == bytes.fromhex(HEX)


def test_help_and_version_exit_0():
    assert invoke("--version").code == 0
    outcome = invoke("prove", "--help")
    assert outcome.code == 0 and "--capacity" in outcome.stdout and outcome.stderr == ""


@pytest.mark.parametrize("path", ["no\nsuch\x1b[31m\u2028dir", "\udcff\udcfe-not-utf8", "tab\tand\rreturn"])
def test_input_echoed_by_any_layer_stays_one_printable_line(tmp_path, path):
    for args in (["verify", path], ["audit", path], ["verify-inclusion", path, "--attestation", path],
                 ["inclusion", "--state", path, "--user", "u"]):
        outcome = invoke(*args, cwd=tmp_path)
        assert outcome.code == 3 and one_error_line(outcome), outcome
        assert all(c.isprintable() for c in outcome.stderr[:-1]), outcome.stderr
