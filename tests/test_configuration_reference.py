"""docs/configuration.md names exactly the environment variables the project reads;
the README's first screen and the links between the docs hold.

The settings record every name they read (`ENVIRONMENT_VARIABLES_READ`, filled
by the recording `env` at the top of clinic_site/settings.py). Some reads
happen only in one configuration (production's HSTS, PostgreSQL's connection
age), so the settings are loaded in each of them and the names joined.
Variables read elsewhere (make's, the tests', the benchmarks') are found by
reading the tree. Not covered, on purpose: variables only libraries read
(Django's DJANGO_ALLOW_ASYNC_UNSAFE, which the e2e tests set), and copies of
the whole environment handed to a child process (`{**os.environ}`), which
read no variable by name.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "configuration.md"
SETTINGS = ROOT / "clinic_site" / "settings.py"

# One row per variable: its name, in backquotes, is the first cell.
DOCUMENTED_ROW = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", re.MULTILINE)

# Reads outside the settings, by kind of file.
PYTHON_READ = re.compile(
    r"os\.(?:environ\.get|environ\.setdefault|environ\.pop|getenv)\(\s*([^,)]+)"
    r"|os\.environ\[\s*([^\]]+)\]"
)
MAKE_READ = re.compile(r"^([A-Z][A-Z0-9_]*)\s*\?=", re.MULTILINE)
SHELL_READ = re.compile(r"\$\{([A-Z][A-Z0-9_]*):?[-=?+]")
LITERAL = re.compile(r"""^["']([A-Z][A-Z0-9_]*)["']$""")

LOAD = (
    "import json, clinic_site.settings as s; "
    "print(json.dumps(sorted(s.ENVIRONMENT_VARIABLES_READ)))"
)
# The configurations whose settings read different names.
CONFIGURATIONS = {
    "embedded default": {"DATABASE_URL": "", "REDIS_URL": ""},
    "production on PostgreSQL and Redis": {
        "CLINIC_ENV": "production",
        "SECRET_KEY": "a-long-random-production-secret-" + "k9Z!" * 12,
        "ALLOWED_HOSTS": "clinic.example",
        "CLINIC_FIELD_KEYS": "dGVzdC1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcy1vayE=",
        "DATABASE_URL": "postgres://clinic@127.0.0.1:5432/clinic",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    },
}


def documented() -> set[str]:
    names = DOCUMENTED_ROW.findall(REFERENCE.read_text(encoding="utf-8"))
    repeated = {n for n in names if names.count(n) > 1}
    assert not repeated, f"docs/configuration.md has more than one row for {sorted(repeated)}"
    return set(names)


def read_by_settings(tmp_path: Path) -> set[str]:
    names: set[str] = set()
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "CLINIC_ENV", "DEBUG", "CLINIC_FIELD_KEYS"}
    }
    for label, env in CONFIGURATIONS.items():
        var_dir = tmp_path / label.replace(" ", "-")
        result = subprocess.run(
            [sys.executable, "-c", LOAD],
            cwd=ROOT,
            env={**base, "SECRET_KEY": "test-only", **env, "CLINIC_VAR_DIR": str(var_dir)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"{label}: {result.stderr}"
        names |= set(json.loads(result.stdout))
    return names


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [ROOT / p for p in listed.stdout.split("\0") if p]


def read_elsewhere() -> tuple[set[str], list[str]]:
    """Names read outside the settings, and reads whose name is not a literal."""
    names: set[str] = set()
    unnamed: list[str] = []
    here = Path(__file__).resolve()
    for path in tracked_files():
        if path in (here, SETTINGS) or not path.is_file():
            continue
        where = path.relative_to(ROOT).as_posix()
        if path.suffix == ".py":
            text = path.read_text(encoding="utf-8")
            for match in PYTHON_READ.finditer(text):
                argument = (match.group(1) or match.group(2)).strip()
                literal = LITERAL.match(argument)
                if literal:
                    names.add(literal.group(1))
                else:
                    unnamed.append(f"{where}: {match.group(0)}")
            if re.search(r"\benviron\.Env\(", text):
                unnamed.append(f"{where}: a django-environ reader of its own")
        elif path.name == "Makefile" or path.suffix == ".mk":
            names |= set(MAKE_READ.findall(path.read_text(encoding="utf-8")))
        elif path.suffix == ".sh" or path.read_bytes()[:2] == b"#!":
            names |= set(SHELL_READ.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names, unnamed


@pytest.fixture(scope="module")
def read(tmp_path_factory) -> dict[str, set[str]]:
    elsewhere, unnamed = read_elsewhere()
    assert not unnamed, (
        "these read the environment under a name the reference test cannot see; "
        "name the variable literally (or read it in clinic_site/settings.py): " + "; ".join(unnamed)
    )
    return {
        "settings": read_by_settings(tmp_path_factory.mktemp("settings")),
        "elsewhere": elsewhere,
    }


def test_the_settings_record_what_they_read(read):
    # The recording reader works: the variables every configuration reads are there.
    assert {"CLINIC_ENV", "SECRET_KEY", "DATABASE_URL", "MIS_ADAPTER"} <= read["settings"]
    # And the branches only one configuration takes.
    assert {"SECURE_HSTS_SECONDS", "CONN_MAX_AGE"} <= read["settings"]


def test_every_variable_read_is_documented(read):
    missing = (read["settings"] | read["elsewhere"]) - documented()
    assert not missing, f"read but missing from docs/configuration.md: {sorted(missing)}"


def test_the_reference_names_no_variable_nobody_reads(read):
    stale = documented() - read["settings"] - read["elsewhere"]
    assert not stale, f"docs/configuration.md names variables nothing reads: {sorted(stale)}"


def test_each_row_gives_meaning_default_and_example():
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        if DOCUMENTED_ROW.match(line):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            assert len(cells) == 4 and all(cells), f"name, meaning, default, example: {line}"


# The README and docs/: the first screen, and links that lead somewhere.
README = ROOT / "README.md"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def markdown_pages() -> list[Path]:
    return [README, ROOT / "bench" / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def heading_anchors(page: Path) -> set[str]:
    """GitHub's anchors of a page's headings."""
    anchors = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^#{1,6}\s+(.*)$", line)
        if heading:
            text = heading.group(1).strip().lower().replace("`", "")
            anchors.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return anchors


def test_the_readme_starts_with_the_two_commands_and_stays_short():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) < 250
    body = [line for line in lines if line.strip() and not line.startswith("# ")]
    assert body[:4] == [
        "```sh",
        "make run    # set up everything and run the demo clinic at http://127.0.0.1:8000",
        "make test   # run the whole test suite (PostgreSQL + Redis)",
        "```",
    ]


def test_links_between_the_pages_resolve():
    broken = []
    for page in markdown_pages():
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target):
                continue  # http:, https:, mailto:
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            where = f"{page.relative_to(ROOT)}: {target}"
            if not linked.exists():
                broken.append(where)
            elif anchor and anchor not in heading_anchors(linked):
                broken.append(f"{where} (no such heading)")
    assert not broken, broken
