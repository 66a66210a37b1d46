"""Every ``ecm-gateway`` command line the README and the guides show exists, with the options it shows."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from gateway.cli import app
from tests.docs.guide_code import DOCS

ROOT = DOCS.parent
GUIDES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
ROOT_COMMAND = typer.main.get_command(app)
# "ecm-gateway" then words up to the end of the inline code, table cell, comment or shell operator
COMMAND_LINE = re.compile(r"ecm-gateway((?: [^`|\n#;&>]+)*)")


def _resolve(words: list[str]) -> tuple[Any, list[str]]:
    command: Any = ROOT_COMMAND
    used: list[str] = []
    for word in words:
        sub = getattr(command, "commands", {}).get(word)
        if sub is None:
            break
        command, used = sub, [*used, word]
    return command, used


def _options(command: Any) -> set[str]:
    names = {"--help"}
    for parameter in command.params:
        names.update(parameter.opts)
        names.update(parameter.secondary_opts)
    return names


def _documented() -> list[tuple[str, list[str]]]:
    found = []
    for guide in GUIDES:
        for number, line in enumerate(guide.read_text(encoding="utf-8").splitlines(), start=1):
            for match in COMMAND_LINE.finditer(line):
                words = match.group(1).split()
                if words and re.fullmatch(r"[a-z][a-z-]*", words[0]):
                    found.append((f"{guide.relative_to(ROOT)}:{number}", words))
    return found


DOCUMENTED = _documented()


def test_the_guides_show_command_lines() -> None:
    assert len(DOCUMENTED) > 50
    assert {words[0] for _, words in DOCUMENTED} >= {"check", "submit", "replay", "review", "clients", "retention"}


@pytest.mark.parametrize(("where", "words"), DOCUMENTED, ids=[where for where, _ in DOCUMENTED])
def test_a_documented_command_line_names_a_command_and_its_options(where: str, words: list[str]) -> None:
    command, used = _resolve(words)
    assert used, f"{where}: no command {words[0]!r}"
    options = _options(command)
    unknown = [word for word in words[len(used) :] if word.startswith("--") and word.split("=")[0] not in options]
    assert not unknown, f"{where}: `ecm-gateway {' '.join(used)}` has no option {', '.join(unknown)}"


def test_the_api_key_id_to_revoke_is_where_the_security_guide_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    guide = (DOCS / "security" / "README.md").read_text(encoding="utf-8")
    assert "the key id is printed when the key is issued, and is the part between `ecm_` and the next `_`" in guide
    monkeypatch.setenv("ECM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ECM_DATABASE_URL", raising=False)
    runner = CliRunner()
    env = {"COLUMNS": "200"}
    added = runner.invoke(
        app, ["clients", "add", "acme-cms", "--name", "Acme", "--supplier", "acme", "--la", "201"], env=env
    )
    assert added.exit_code == 0, added.output
    issued = runner.invoke(app, ["clients", "api-key", "acme-cms"], env=env)
    assert issued.exit_code == 0, issued.output
    printed_id = re.search(r"key id (\S+)", issued.output)
    token = issued.output.strip().splitlines()[-1]
    assert printed_id is not None and token.startswith("ecm_")
    assert token.removeprefix("ecm_").split("_", 1)[0] == printed_id.group(1)
    revoked = runner.invoke(app, ["clients", "revoke-api-key", printed_id.group(1)], env=env)
    assert revoked.exit_code == 0, revoked.output


def test_the_integrator_guide_points_to_mapping_files_and_shows_the_plugin_at_work() -> None:
    guide = (DOCS / "integrators" / "README.md").read_text(encoding="utf-8")
    assert "being added" not in guide
    assert "[mapping files](mapping-files.md)" in guide
    assert "`ecm-gateway convert kids.acme`" in guide and "`ecm-gateway check kids.acme`" in guide


TOP_LEVEL = (
    "gateway/",
    "adapters/",
    "conformance/",
    "mappings/",
    "schemas/",
    "samples/",
    "tests/",
    "bench/",
    "scripts/",
)


def _named_paths() -> list[tuple[str, str]]:
    found = []
    for guide in GUIDES:
        for number, line in enumerate(guide.read_text(encoding="utf-8").splitlines(), start=1):
            for match in re.finditer(r"`([^`\s]+)`", line):
                name = match.group(1).rstrip(",.:;")
                if name.startswith((*TOP_LEVEL, "../", "/work/")) and "<" not in name:
                    found.append((f"{guide.relative_to(ROOT)}:{number}", name))
    return found


def test_every_file_a_guide_names_is_in_the_repository() -> None:
    named = _named_paths()
    assert len(named) > 30
    missing = [
        f"{where}: {name}"
        for where, name in named
        if name.startswith(("../", "/work/")) or not any(ROOT.glob(name.split("#")[0]))
    ]
    assert not missing, "guides name files a reader of the repository does not have:\n" + "\n".join(missing)
