"""Jupyter notebooks: code cells checked as ruff does (cell:line positions), IPython syntax
left alone, --fix and --diff write valid notebook JSON. Each test runs the command on a real
nbformat 4 file."""

import json

import pytest

CELLS = [
    ("markdown", ["# A notebook\n"]),
    ("code", ["%matplotlib inline\n", "import time\n", "!pip list\n", "files = !ls\n", "len?"]),
    ("code", ["async def handler():\n", "    time.sleep(1)\n", "    time.sleep(2)  # noqa: ASL101\n",
              "    return 1"]),
    ("code", ["%%bash\n", "sleep 1\n"]),
    ("code", ["await handler()\n"]),  # top-level await: valid in a notebook
]


@pytest.fixture
def notebook(tmp_path):
    document = {"cells": [{"cell_type": kind, "metadata": {}, "source": source,
                           **({"execution_count": None, "outputs": []} if kind == "code" else {})}
                          for kind, source in CELLS],
                "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
                "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "analysis.ipynb"
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def test_findings_are_placed_by_cell_and_line(notebook, run_cli):
    code, out, err = run_cli("check", "--format", "concise", notebook.name, cwd=notebook.parent)
    assert code == 1, err
    assert out == "analysis.ipynb:cell 3:2:5: ASL101 `time.sleep()` blocks the event loop; " \
                  "use `await asyncio.sleep()`\n"
    _, out, _ = run_cli("check", "--format", "json", notebook.name, cwd=notebook.parent)
    [finding] = json.loads(out)
    assert (finding["cell"], finding["line"], finding["column"], finding["end_line"]) == (3, 2, 5, 2)


def test_later_calls_are_placed_by_cell_and_fixed_with_their_finding(tmp_path, run_cli):
    document = {"cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": source}
                          for source in (["import json\n"], ["async def load(p):\n", "    f = open(p)\n",
                                                             "    return json.loads(f.read())\n"])],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "later.ipynb"
    path.write_text(json.dumps(document), encoding="utf-8")
    _, out, _ = run_cli("check", "--format", "json", path.name, cwd=tmp_path)
    [finding] = json.loads(out)
    assert (finding["cell"], finding["line"]) == (2, 2)
    assert finding["related"] == [{"line": 3, "column": 23, "end_line": 3, "end_column": 31, "text": "f.read()",
                                   "cell": 2}]
    code, out, err = run_cli("check", "--fix", "--unsafe-fixes", path.name, cwd=tmp_path)
    assert code == 0 and "Fixed 1 finding in 1 file." in out, out + err
    fixed = json.loads(path.read_text(encoding="utf-8"))["cells"][1]["source"]
    assert fixed[-1] == "    return json.loads(await asyncio.to_thread(f.read))\n"


def test_a_walked_directory_includes_notebooks_but_not_their_checkpoints(notebook, run_cli):
    checkpoints = notebook.parent / ".ipynb_checkpoints"
    checkpoints.mkdir()
    (checkpoints / "analysis-checkpoint.ipynb").write_text(notebook.read_text())
    _, out, _ = run_cli("check", "--format", "concise", ".", cwd=notebook.parent)
    assert [line.split(":")[0] for line in out.splitlines()] == ["./analysis.ipynb"]


def test_fix_writes_the_notebook_back(notebook, run_cli):
    before = json.loads(notebook.read_text(encoding="utf-8"))
    code, diff, _ = run_cli("check", "--diff", notebook.name, cwd=notebook.parent)
    assert code == 1 and "+    \"    await asyncio.sleep(1)\\n\"," in diff
    assert json.loads(notebook.read_text(encoding="utf-8")) == before  # --diff writes nothing

    code, out, err = run_cli("check", "--fix", notebook.name, cwd=notebook.parent)
    assert code == 0, out + err
    after = json.loads(notebook.read_text(encoding="utf-8"))  # still JSON, still a notebook
    assert after["metadata"] == before["metadata"] and after["nbformat"] == 4
    sources = ["".join(cell["source"]) for cell in after["cells"]]
    assert sources[0] == "# A notebook\n"
    assert sources[1] == "import asyncio\n\n%matplotlib inline\nimport time\n!pip list\nfiles = !ls\nlen?"
    assert sources[2] == ("async def handler():\n    await asyncio.sleep(1)\n    time.sleep(2)  # noqa: ASL101\n"
                          "    return 1")  # no line break after the last line, as before
    assert sources[3:] == ["%%bash\nsleep 1\n", "await handler()\n"]
    assert all(isinstance(cell["source"], list) for cell in after["cells"])
    assert run_cli("check", notebook.name, cwd=notebook.parent)[0] == 0


def test_a_file_named_ipynb_that_is_not_a_notebook(tmp_path, run_cli):
    (tmp_path / "broken.ipynb").write_text("async def f(): pass\n")
    code, out, _ = run_cli("check", "--format", "concise", "broken.ipynb")
    assert code == 1 and out.startswith("broken.ipynb:1:1: ASL001 not a valid notebook")


def test_add_noqa_leaves_a_notebook_alone_and_says_so(notebook, run_cli):
    before = notebook.read_text(encoding="utf-8")
    code, _, err = run_cli("check", "--add-noqa", notebook.name, cwd=notebook.parent)
    assert code == 1 and "analysis.ipynb:cell 3:2: no `# noqa` added" in err
    assert notebook.read_text(encoding="utf-8") == before
