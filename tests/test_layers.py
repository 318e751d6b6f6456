"""The layers of DESIGN.md hold by a tool: `make lint` runs import-linter on
the contracts in pyproject.toml, and they fail on a wrong import."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["clinic_site", "clinic_pages", "cabinet", "booking", "catalog", "integrations"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of the project's packages and contracts to break."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_tree_keeps_every_contract(tree):
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # a lower layer reaching a higher one
        ("catalog/models.py", "import booking.services", "Pages and cabinet above booking"),
        ("booking/services.py", "import cabinet.access", "Pages and cabinet above booking"),
        ("clinic_pages/selectors.py", "import cabinet.access", "Pages and cabinet above booking"),
        # an adapter reaching past the ports
        ("integrations/mis/medialog.py", "import django.db", "Adapters import only ports"),
        ("integrations/mis/n3.py", "import integrations.mis.fhir", "Each adapter stands alone"),
        # shared infrastructure importing a feature
        ("clinic_site/client.py", "import booking.models", "shared infrastructure"),
        # a cycle inside a package
        ("booking/slots.py", "import booking.services", "No import cycles inside"),
    ],
)
def test_a_wrong_import_breaks_its_contract(tree, module, line, contract):
    add_line(tree / module, line)
    result = lint_imports(tree)
    assert result.returncode != 0
    broken = [row for row in result.stdout.splitlines() if row.rstrip().endswith("BROKEN")]
    assert any(contract in row for row in broken), result.stdout
