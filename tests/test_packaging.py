"""The package list in pyproject.toml covers every subpackage (a regular install, as CI's,
would otherwise miss modules that an editable install finds)."""

import tomllib

from conftest import ROOT


def test_every_subpackage_is_listed():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "zksolv").rglob("__init__.py")}
    assert on_disk <= listed, f"missing from pyproject.toml packages: {sorted(on_disk - listed)}"
    assert config["package-dir"]["zksolv.circuits"] == "circuits"
    assert (ROOT / "circuits" / "solvency-v1.json").is_file()
