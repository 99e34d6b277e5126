"""docs/ tells the truth: generated pages are current, every rule and key is documented, links work."""

import glob
import os
import re

import pytest

from asynclint.config import _KEYS
from asynclint.docs import DOCS_RULES, expected_pages
from asynclint.report import FORMATS
from asynclint.rules import RULES
from conftest import ROOT

DOCS = os.path.join(ROOT, "docs")


def _read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def test_docs_rules_are_what_the_generator_writes():
    """Run `python -m asynclint.docs` after changing a rule, and commit what it writes."""
    expected = expected_pages()
    committed = {os.path.basename(p): _read(p) for p in glob.glob(os.path.join(DOCS_RULES, "*.md"))}
    stale = sorted(name for name in expected if committed.get(name) != expected[name])
    extra = sorted(set(committed) - set(expected))
    assert not stale and not extra, (f"out of date: {stale}; not generated from any rule: {extra}. "
                                     f"Run `python -m asynclint.docs`.")


def test_every_rule_has_a_page_and_an_index_row():
    index = _read(os.path.join(DOCS_RULES, "README.md"))
    for code in RULES:
        assert os.path.isfile(os.path.join(DOCS_RULES, f"{code}.md")), code
        assert f"[{code}]({code}.md)" in index, code


def test_configuration_documents_every_key_and_no_other():
    page = _read(os.path.join(DOCS, "configuration.md"))
    documented = re.findall(r"^### `([a-z-]+)`$", page, re.MULTILINE)
    assert sorted(documented) == sorted(_KEYS)


def test_the_example_configuration_is_valid():
    from asynclint.config import settings_from_table
    from asynclint.model import Settings

    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    page = _read(os.path.join(DOCS, "configuration.md"))
    example = re.search(r"```toml\n(.*?)```", page, re.DOTALL).group(1)
    table = tomllib.loads(example)["tool"]["asynclint"]
    assert sorted(table) == sorted(_KEYS)
    settings_from_table(table, Settings())  # raises on a bad key or value


def test_the_index_describes_every_output_format():
    page = _read(os.path.join(DOCS, "README.md"))
    described = re.findall(r"^\| `([a-z]+)`(?: \(default\))? \|", page, re.MULTILINE)
    assert sorted(described) == sorted(FORMATS)


MARKDOWN = sorted(glob.glob(os.path.join(DOCS, "**", "*.md"), recursive=True)
                  + [os.path.join(ROOT, "README.md")])


@pytest.mark.parametrize("page", MARKDOWN, ids=[os.path.relpath(p, ROOT) for p in MARKDOWN])
def test_relative_links_resolve(page):
    text = re.sub(r"```.*?```", "", _read(page), flags=re.DOTALL)
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = os.path.normpath(os.path.join(os.path.dirname(page), target.split("#")[0]))
        if not os.path.exists(path):
            broken.append(target)
    assert not broken
