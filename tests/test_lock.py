"""uv.lock is what we ship: the test command refuses to run when it no longer matches
pyproject.toml."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def _copy_of_the_project(tmp_path: Path) -> Path:
    """The files the lock check reads, and the project's uv (so nothing is installed)."""
    copy = tmp_path / "project"
    (copy / "scripts").mkdir(parents=True)
    for name in ("test.sh", "uv.sh", "uv-requirements.txt"):
        shutil.copy(ROOT / "scripts" / name, copy / "scripts" / name)
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / name, copy / name)
    (copy / ".tools").symlink_to(ROOT / ".tools")
    return copy


def test_the_committed_lock_matches_pyproject():
    """uv.lock holds exactly what pyproject.toml asks for."""
    result = _run(["scripts/uv.sh", "lock", "--check"], ROOT)
    assert result.returncode == 0, result.stderr


def test_the_test_command_fails_at_once_when_the_lock_is_out_of_date(tmp_path):
    """A range changed in pyproject.toml without `make lock` stops scripts/test.sh before
    any test runs, saying how to fix it."""
    copy = _copy_of_the_project(tmp_path)
    pyproject = copy / "pyproject.toml"
    text = pyproject.read_text()
    assert '"nh3>=0.2.20,<1"' in text
    pyproject.write_text(text.replace('"nh3>=0.2.20,<1"', '"nh3>=0.3,<1"'))

    result = _run(["bash", "scripts/test.sh"], copy)

    assert result.returncode != 0
    assert "uv.lock is out of date with pyproject.toml: run 'make lock'" in result.stderr
    assert "== ruff" not in result.stdout
