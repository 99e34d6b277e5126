"""``asynclint server`` driven as an editor drives it: a subprocess speaking JSON-RPC with
Content-Length framing over stdin/stdout. Every read has a deadline, so a stuck server fails
the test instead of hanging the suite."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import asynclint
from asynclint import lsp
from asynclint.config import find_pyproject
from asynclint.rules import RULES

needs_pygls = pytest.mark.skipif(not lsp.pygls_available(),
                                 reason="the Language Server needs pygls 2 (pip install 'asynclint[lsp]')")

TIMEOUT = 20.0  # seconds for any one message; the whole module normally takes about a second

BLOCKING = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"
CLEAN = "import time\n\n\nasync def handler():\n    pass\n"


class Client:
    """A minimal LSP client: a reader thread splits the server's output into messages."""

    def __init__(self, cwd: Path):
        self.proc = subprocess.Popen([sys.executable, "-m", "asynclint", "server"], cwd=cwd,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages: queue.Queue = queue.Queue()
        self.answers: dict[str, object] = {}  # method -> the result to give the server's requests
        self.next_id = 0
        self.pending: list[dict] = []  # messages read while waiting for another one
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        try:
            while True:
                headers = {}
                while True:
                    line = stream.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = stream.read(int(headers["content-length"]))
                self.messages.put(json.loads(body.decode("utf-8")))
        finally:
            self.messages.put(None)  # end of output

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict | None = None) -> None:
        self.send({"method": method, **({"params": params} if params is not None else {})})

    def request(self, method: str, params: dict | None = None) -> dict:
        self.next_id += 1
        ident = self.next_id
        self.send({"id": ident, "method": method, **({"params": params} if params is not None else {})})
        response = self.wait(lambda m: m.get("id") == ident and "method" not in m, f"the response to {method}")
        assert "error" not in response, response["error"]
        return response.get("result")

    def wait(self, accept, what: str) -> dict:
        for index, message in enumerate(self.pending):
            if accept(message):
                return self.pending.pop(index)
        deadline = time.monotonic() + TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {what}; stderr: {self.stderr_so_far()}")
            try:
                message = self.messages.get(timeout=remaining)
            except queue.Empty:
                continue
            if message is None:
                raise AssertionError(f"the server closed its output while we waited for {what}; "
                                     f"stderr: {self.stderr_so_far()}")
            if "id" in message and "method" in message:  # a request of the server's: answer it
                self.send({"id": message["id"], "result": self.answers.get(message["method"])})
            if accept(message):
                return message
            self.pending.append(message)

    def diagnostics(self, uri: str, version: int | None = None) -> list[dict]:
        message = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"]["uri"] == uri
                            and (version is None or m["params"].get("version") == version),
                            f"diagnostics of {uri} (version {version})")
        return message["params"]["diagnostics"]

    def stderr_so_far(self) -> str:
        if self.proc.poll() is None:
            return "(server still running)"
        return self.proc.stderr.read().decode("utf-8", "replace")[-2000:]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=TIMEOUT)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except OSError:
                pass


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("workspace")
    (root / "pyproject.toml").write_text("[tool.asynclint]\n")
    return root


@pytest.fixture(scope="module")
def client(workspace):
    if not lsp.pygls_available():
        pytest.skip("the Language Server needs pygls 2 (pip install 'asynclint[lsp]')")
    """One server for the module (starting it costs the interpreter's start-up)."""
    client = Client(workspace)
    try:
        result = client.request("initialize", {
            "processId": os.getpid(), "rootUri": workspace.as_uri(),
            "capabilities": {"workspace": {"workspaceEdit": {"documentChanges": False}}},
        })
        client.capabilities = result["capabilities"]
        client.notify("initialized", {})
        yield client
    finally:
        client.close()


def open_document(client: Client, workspace: Path, name: str, text: str, version: int = 1) -> str:
    uri = (workspace / name).as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": version, "text": text}})
    return uri


def test_initialize_advertises_sync_and_actions(client):
    capabilities = client.capabilities
    sync = capabilities["textDocumentSync"]
    assert sync["openClose"] is True and sync["change"] in (1, 2) and sync["save"]
    assert capabilities.get("positionEncoding", "utf-16") == "utf-16"
    kinds = capabilities["codeActionProvider"]["codeActionKinds"]
    assert "quickfix" in kinds and "source.fixAll.asynclint" in kinds


def test_open_publishes_the_finding_and_a_change_clears_it(client, workspace):
    uri = open_document(client, workspace, "app.py", BLOCKING)
    [diagnostic] = client.diagnostics(uri, 1)
    assert diagnostic["code"] == "ASL101"
    assert diagnostic["source"] == "asynclint"
    assert diagnostic["severity"] == 2  # Warning
    assert diagnostic["codeDescription"]["href"].endswith("docs/rules/ASL101.md")
    # `time.sleep(1)` on the fifth line, after four spaces: the call, 0-based lines
    assert diagnostic["range"] == {"start": {"line": 4, "character": 4}, "end": {"line": 4, "character": 17}}

    # A ranged change (the server asks for full text, but a ranged one is applied right too).
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"range": {"start": {"line": 4, "character": 4}, "end": {"line": 4, "character": 17}},
                            "text": "pass"}]})
    assert client.diagnostics(uri, 2) == []

    # A full-text change brings it back, a save re-checks, a close clears.
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                             "contentChanges": [{"text": BLOCKING}]})
    assert [d["code"] for d in client.diagnostics(uri, 3)] == ["ASL101"]
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert [d["code"] for d in client.diagnostics(uri)] == ["ASL101"]
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri) == []


def test_columns_are_utf16_code_units(client, workspace):
    # U+1F600 takes two UTF-16 code units; "é" one. Python counts both as one character.
    text = "import time\n\n\nasync def handler():\n    x = '\U0001F600é'; time.sleep(1)\n"
    uri = open_document(client, workspace, "emoji.py", text)
    [diagnostic] = client.diagnostics(uri, 1)
    line = text.splitlines()[4]
    start = len(line[:line.index("time.sleep")].encode("utf-16-le")) // 2
    assert start == line.index("time.sleep") + 1
    assert diagnostic["range"] == {"start": {"line": 4, "character": start},
                                   "end": {"line": 4, "character": start + len("time.sleep(1)")}}
    # A ranged change in UTF-16 units after the emoji lands where the client meant it.
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"range": diagnostic["range"], "text": "pass"}]})
    assert client.diagnostics(uri, 2) == []
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    client.diagnostics(uri)


def test_ranged_changes_count_lines_as_lsp_does(client, workspace):
    # A form feed (common in older code) and U+2028 are not line breaks for LSP or Python,
    # though str.splitlines() thinks they are.
    text = "import time\n\x0c\nx = '\u2028'\n\nasync def handler():\n    pass\n"
    uri = open_document(client, workspace, "formfeed.py", text)
    assert client.diagnostics(uri, 1) == []
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"range": {"start": {"line": 5, "character": 4}, "end": {"line": 5, "character": 8}},
                            "text": "time.sleep(1)"}]})
    [diagnostic] = client.diagnostics(uri, 2)
    assert diagnostic["code"] == "ASL101"
    assert diagnostic["range"]["start"] == {"line": 5, "character": 4}
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    client.diagnostics(uri)


def test_syntax_error_is_one_error_and_the_server_keeps_going(client, workspace):
    uri = open_document(client, workspace, "broken.py", "async def f(:\n    time.sleep(1)\n")
    [diagnostic] = client.diagnostics(uri, 1)
    assert diagnostic["code"] == "ASL001" and diagnostic["severity"] == 1  # Error
    assert diagnostic["range"]["start"]["line"] == 0
    # Still serving: another document is checked.
    other = open_document(client, workspace, "after.py", BLOCKING)
    assert [d["code"] for d in client.diagnostics(other, 1)] == ["ASL101"]
    for closing in (uri, other):
        client.notify("textDocument/didClose", {"textDocument": {"uri": closing}})
        client.diagnostics(closing)


def test_a_bad_configuration_is_reported_not_fatal(client, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.asynclint]\nselect = 'ASL'\n")
    uri = open_document(client, tmp_path, "configured.py", BLOCKING)
    message = client.wait(lambda m: m.get("method") == "window/showMessage", "the configuration error")
    assert "select" in message["params"]["message"]
    [diagnostic] = client.diagnostics(uri, 1)
    assert "select" in diagnostic["message"] and diagnostic["severity"] == 1
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    client.diagnostics(uri)


@pytest.mark.skipif("ASL401" not in RULES, reason="the project-wide rule ASL401 is not on this branch yet")
def test_project_wide_rule_sees_the_other_modules_and_their_changes(client, workspace):
    helpers = workspace / "helpers.py"
    helpers.write_text("import time\n\n\ndef pause():\n    time.sleep(1)\n")
    text = "from helpers import pause\n\n\nasync def handler():\n    pause()\n"
    uri = open_document(client, workspace, "uses_helpers.py", text)
    assert [d["code"] for d in client.diagnostics(uri, 1)] == ["ASL401"]
    # The helper stops blocking on disk: the next check of the open document knows.
    helpers.write_text("def pause():\n    return None\n")
    os.utime(helpers, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": text + "\n"}]})
    assert client.diagnostics(uri, 2) == []
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    client.diagnostics(uri)


def apply(text: str, edits: list[dict]) -> str:
    index = lsp.LineIndex(text)
    spans = [(index.offset(e["range"]["start"]["line"], e["range"]["start"]["character"]),
              index.offset(e["range"]["end"]["line"], e["range"]["end"]["character"]), e["newText"])
             for e in edits]
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def test_code_actions_fix_one_finding_and_all(client, workspace):
    text = "import time\n\n\nasync def handler():\n    time.sleep(1)\n    time.sleep(2)\n"
    uri = open_document(client, workspace, "fixme.py", text)
    diagnostics = client.diagnostics(uri, 1)
    assert [d["code"] for d in diagnostics] == ["ASL101", "ASL101"]
    first = diagnostics[0]
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": first["range"], "context": {"diagnostics": [first]}})
    quick = [a for a in actions if a["kind"] == "quickfix"]
    assert quick and quick[0]["title"].startswith("asynclint: fix ASL101")
    fixed = apply(text, quick[0]["edit"]["changes"][uri])
    assert "time.sleep(1)" not in fixed and "sleep(1)" in fixed
    assert "time.sleep(2)" in fixed  # only this finding, when the fixer's edits allow it
    assert fixed != text

    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": first["range"],
        "context": {"diagnostics": [], "only": ["source.fixAll"]}})
    assert [a["kind"] for a in actions] == ["source.fixAll.asynclint"]
    fixed_all = apply(text, actions[0]["edit"]["changes"][uri])
    assert "time.sleep(" not in fixed_all
    assert asynclint.lint_source(fixed_all, "fixme.py") == [] or all(
        d.code != "ASL101" for d in asynclint.lint_source(fixed_all, "fixme.py"))
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    client.diagnostics(uri)


def test_a_finding_shows_its_later_calls_and_its_fix_rewrites_them(client, workspace):
    text = ("async def load(path):\n    f = open(path)\n    data = f.read()\n    f.close()\n"
            "    return data + f.readline()\n")
    uri = open_document(client, workspace, "later.py", text)
    [found] = client.diagnostics(uri, 1)
    assert found["code"] == "ASL103"
    assert [(r["location"]["uri"], r["location"]["range"]["start"], r["message"]) for r in found["relatedInformation"]] == [
        (uri, {"line": 2, "character": 11}, "later call on what it returns: `f.read()`"),
        (uri, {"line": 4, "character": 18}, "later call on what it returns: `f.readline()`")]
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": found["range"], "context": {"diagnostics": [found]}})
    [quick] = [a for a in actions if a["kind"] == "quickfix"]
    fixed = apply(text, quick["edit"]["changes"][uri])
    assert "await asyncio.to_thread(f.read)" in fixed and "await asyncio.to_thread(f.readline)" in fixed
    assert asynclint.lint_source(fixed, "later.py") == []  # no second wave of findings
    on_later_call = client.request("textDocument/codeAction", {  # the cursor on `f.read()`: the same fix
        "textDocument": {"uri": uri}, "range": found["relatedInformation"][0]["location"]["range"],
        "context": {"diagnostics": []}})
    assert [a["edit"] for a in on_later_call if a["kind"] == "quickfix"] == [quick["edit"]]
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    client.diagnostics(uri)


@needs_pygls
def test_shutdown_and_exit_end_the_process_with_0(workspace):
    client = Client(workspace)
    try:
        result = client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {
            "general": {"positionEncodings": ["utf-8", "utf-16"]}}})
        client.notify("initialized", {})
        # A client that prefers UTF-8 gets its columns in bytes.
        assert result["capabilities"]["positionEncoding"] == "utf-8"
        uri = open_document(client, workspace, "bytes.py", "import time\nasync def f():\n    '\U0001F600'; time.sleep(1)\n")
        [diagnostic] = client.diagnostics(uri, 1)
        assert diagnostic["range"]["start"] == {"line": 2, "character": 4 + 6 + 2}
        assert client.request("shutdown") is None
        client.notify("exit")
        assert client.proc.wait(timeout=TIMEOUT) == 0
    finally:
        client.close()


# -- the parts without a process ---------------------------------------------------------------

def test_units_and_back():
    line = "a\U0001F600b"
    assert [lsp.to_units(line, c) for c in range(4)] == [0, 1, 3, 4]
    assert [lsp.to_units(line, c, lsp.UTF8) for c in range(4)] == [0, 1, 5, 6]
    assert [lsp.from_units(line, u) for u in (0, 1, 3, 4, 9)] == [0, 1, 2, 3, 3]
    index = lsp.LineIndex("x\r\n\U0001F600y\rz")
    assert index.position(4) == (1, 2) and index.offset(1, 2) == 4
    assert index.position(len(index.source)) == (2, 1)


@pytest.mark.parametrize("old, new", [
    ("a\nb\nc\n", "a\nB\nc\n"),
    ("import time\nx\n", "import asyncio\nimport time\nx\n"),
    ("a\r\nb\r\n", "a\r\nb\r\nc\r\n"),
    ("a\r\nb", "a\nb"),
    ("", "x"),
    ("x", ""),
    ("same", "same"),
])
def test_minimal_edits_rebuild_the_new_text(old, new):
    edits = lsp.minimal_edits(old, new)
    rebuilt = old
    for edit in reversed(edits):
        rebuilt = rebuilt[:edit.start] + edit.text + rebuilt[edit.end:]
    assert rebuilt == new
    for edit in edits:  # positions never fall between \r and \n
        for offset in (edit.start, edit.end):
            assert not (0 < offset < len(old) and old[offset - 1] == "\r" and old[offset] == "\n")


def test_without_pyproject_the_project_is_the_workspace_folder(tmp_path):
    folder = tmp_path / "service"
    (folder / "pkg").mkdir(parents=True)
    path = str(folder / "pkg" / "app.py")
    linter = lsp.DocumentLinter(roots=[str(tmp_path / "other"), str(folder)])
    if find_pyproject(path) is not None:
        pytest.skip("a pyproject.toml above the temporary directory decides instead")
    checked = linter.check("file://" + path, 1, BLOCKING, path)
    assert checked.settings.project_root == str(folder)
    assert [d.code for d in checked.diagnostics] == ["ASL101"]
    # An unsaved document belongs to the first folder.
    assert linter.root_of("Untitled-1") == str(tmp_path / "other")


# The editor's index is kept between checks: what it kept from a module changed on disk since must
# not outlive the change, though the document checked after it never asks for that module itself.
# Each case: the files on disk, the documents checked before the edit, the one checked after it,
# and the edit. A new linter, checking the same documents after the edit, says what is right.
USES_BASE = "from base import Base\n\n\nasync def use():\n    obj = Base()\n    obj.save()\n"
EDITED_UNDER_THE_EDITOR = {
    # a chain kept from a.py's check (helpers.load -> util.read), asked for again by b.py
    "chain": ({"a.py": "import helpers\n\n\nasync def a():\n    helpers.load()\n",
               "b.py": "import helpers\n\n\nasync def b():\n    helpers.load()\n",
               "helpers.py": "import util\n\n\ndef load():\n    return util.read()\n",
               "util.py": "def read():\n    return {}\n"},
              ["a.py"], "b.py", {"util.py": "def read():\n    return open('x').read()\n"}),
    # a class order kept from a.py's check: Mid().load() is Base.load
    "class order": ({"a.py": "from mid import Mid\n\n\nasync def a():\n    Mid().load()\n",
                     "b.py": "from mid import Mid\n\n\nasync def b():\n    Mid().load()\n",
                     "mid.py": "from base import Base\n\n\nclass Mid(Base):\n    pass\n",
                     "base.py": "class Base:\n    def load(self):\n        return {}\n"},
                    ["a.py"], "b.py", {"base.py": "class Base:\n    def load(self):\n        return open('x').read()\n"}),
    # the function helpers.load names, kept from a.py's check: another module's now
    "re-export": ({"a.py": "import helpers\n\n\nasync def a():\n    helpers.load()\n",
                   "b.py": "import helpers\n\n\nasync def b():\n    helpers.load()\n",
                   "helpers.py": "from fast import load\n",
                   "fast.py": "def load():\n    return {}\n",
                   "slow.py": "def load():\n    return open('x').read()\n"},
                  ["a.py"], "b.py", {"helpers.py": "from slow import load\n"}),
    # the known subclasses: plain.py, loaded for other.py, overrides Base.save; use.py checked again
    "override": ({"base.py": "class Base:\n    async def save(self):\n        pass\n",
                  "plain.py": "from base import Base\n\n\nclass Plain(Base):\n    async def save(self):\n"
                              "        pass\n\n\ndef helper():\n    pass\n",
                  "other.py": "import plain\n\n\nasync def other():\n    plain.helper()\n",
                  "use.py": USES_BASE},
                 ["other.py", "use.py"], "use.py",
                 {"plain.py": "from base import Base\n\n\nclass Plain(Base):\n    def save(self):\n"
                              "        pass\n\n\ndef helper():\n    pass\n"}),
}


@pytest.mark.parametrize("case", sorted(EDITED_UNDER_THE_EDITOR))
def test_the_editors_index_follows_a_module_edited_on_disk(tmp_path, case):
    files, first, last, edits = EDITED_UNDER_THE_EDITOR[case]
    (tmp_path / "pyproject.toml").write_text("[tool.asynclint]\n")
    for name, text in files.items():
        (tmp_path / name).write_text(text)

    def check(linter, name):
        path = str(tmp_path / name)
        return [(d.line, d.code) for d in linter.check("file://" + path, 1, files[name], path).diagnostics]

    def check_all(linter):
        for name in first:
            check(linter, name)
        return check(linter, last)

    before = check_all(lsp.DocumentLinter(roots=[str(tmp_path)]))
    kept = lsp.DocumentLinter(roots=[str(tmp_path)])
    for name in first:
        check(kept, name)
    for name, text in edits.items():
        (tmp_path / name).write_text(text)
        os.utime(tmp_path / name, ns=(1, 1))  # a stamp of its own, however coarse the clock
    assert check(kept, last) == check_all(lsp.DocumentLinter(roots=[str(tmp_path)])) != before


def test_a_document_checked_then_changed_on_disk_is_read_again(tmp_path):
    """helpers.py was checked as a document (the index knows it by that text), then closed as it
    was saved; git changes it on disk: app.py, checked again, sees the new text."""
    (tmp_path / "pyproject.toml").write_text("[tool.asynclint]\n")
    helpers = tmp_path / "helpers.py"
    helpers.write_text("async def unused():\n    pass\n\n\ndef load():\n    return {}\n")
    app = tmp_path / "app.py"
    app.write_text("import helpers\n\n\nasync def run():\n    helpers.load()\n")
    linter = lsp.DocumentLinter(roots=[str(tmp_path)])

    def check(path):
        return [d.code for d in linter.check(path.as_uri(), 1, path.read_text(), str(path)).diagnostics]

    check(helpers)
    assert check(app) == []
    helpers.write_text("async def unused():\n    pass\n\n\ndef load():\n    return open('x').read()\n")
    os.utime(helpers, ns=(1, 1))  # a stamp of its own, however coarse the clock
    assert check(app) == ["ASL401"]


# A document whose unsaved text differs from its file stands for its module from its check on:
# what the index kept while it knew the module from disk, and made from it, must go. `a.py`,
# checked before and after the document, asks the same question; each case's buffer changes the
# answer (a chain, a class order, a class bound to the event loop).
USES_STORE = "from helpers import Store\n\n\nasync def a():\n    Store().load()\n"
STORE = "class Store:\n    def load(self):\n        return open('x').read()\n"
UNSAVED_UNDER_THE_INDEX = {
    "chain": ({"a.py": "import helpers\n\n\nasync def a():\n    helpers.load()\n",
               "helpers.py": "def load():\n    return {}\n"},
              "helpers.py", "def load():\n    return open('x').read()\n"),
    "class order": ({"a.py": "from mid import Mid\n\n\nasync def a():\n    Mid().load()\n",
                     "mid.py": "from base import Base\n\n\nclass Mid(Base):\n    pass\n",
                     "base.py": "class Base:\n    def load(self):\n        return {}\n",
                     "other.py": "class Other:\n    def load(self):\n        return open('x').read()\n"},
                    "mid.py", "from other import Other\n\n\nclass Mid(Other):\n    pass\n"),
    "loop-bound class": ({"a.py": USES_STORE, "helpers.py": STORE},
                         "helpers.py", "import asyncio\n\n\n" + STORE + "\n    def loop(self):\n"
                                       "        return asyncio.get_event_loop()\n"),
}


@pytest.mark.parametrize("case", sorted(UNSAVED_UNDER_THE_INDEX))
def test_what_the_index_kept_follows_a_document_that_differs_from_its_file(tmp_path, case):
    files, document, unsaved = UNSAVED_UNDER_THE_INDEX[case]
    (tmp_path / "pyproject.toml").write_text("[tool.asynclint]\n")
    for name, text in files.items():
        (tmp_path / name).write_text(text)

    def check(linter, name, text):
        path = str(tmp_path / name)
        return [(d.line, d.code, d.fix_reason) for d in linter.check("file://" + path, 1, text, path).diagnostics]

    kept = lsp.DocumentLinter(roots=[str(tmp_path)])
    before = check(kept, "a.py", files["a.py"])
    check(kept, document, unsaved)
    fresh = lsp.DocumentLinter(roots=[str(tmp_path)])
    check(fresh, document, unsaved)
    assert check(kept, "a.py", files["a.py"]) == check(fresh, "a.py", files["a.py"]) != before


def test_what_the_editors_index_notes_does_not_pile_up_as_a_document_is_edited(tmp_path):
    """Each check of an edited document drops what was made from its earlier text, and the answers
    made again are noted again (under the files they were made from): over an editing session the
    notes stay as many as the questions, not as the checks."""
    (tmp_path / "pyproject.toml").write_text("[tool.asynclint]\n")
    for name, text in EDITED_UNDER_THE_EDITOR["override"][0].items():
        (tmp_path / name).write_text(text)
    (tmp_path / "helpers.py").write_text("import util\n\n\ndef load():\n    return util.read()\n")
    (tmp_path / "util.py").write_text("def read():\n    return open('x').read()\n")
    path = str(tmp_path / "use.py")
    linter = lsp.DocumentLinter(roots=[str(tmp_path)])
    notes = []
    for version in range(8):
        text = USES_BASE + "    plain.helper()\n    helpers.load()\n" + "\n" * (version % 2)
        checked = linter.check("file://" + path, version, "import helpers\nimport plain\n" + text, path)
        assert [d.code for d in checked.diagnostics] == ["ASL201", "ASL401"]
        notes.append(sum(len(kept) for kept in checked.project._made_from.values()))
    assert notes[-1] == notes[2]


def test_the_editor_reads_a_projects_declarations_again_when_its_pyproject_changes(tmp_path):
    """A module importing no async library gets asyncio's fix until the project declares trio for
    its code; the server, told the pyproject.toml changed, withholds it from then on (what the
    project declares is cached per directory for the server's life otherwise)."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n[tool.asynclint]\n")
    text = "import time\n\n\nasync def nap():\n    time.sleep(1)\n"
    path = str(tmp_path / "nap.py")
    (tmp_path / "nap.py").write_text(text)
    linter = lsp.DocumentLinter(roots=[str(tmp_path)])

    def fix_of_the_finding():
        (finding,) = linter.check("file://" + path, 1, text, path).diagnostics
        return finding.fix, finding.fix_reason

    assert fix_of_the_finding() == ("safe", None)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\ndependencies = ['trio']\n[tool.asynclint]\n")
    lsp.forget_configuration()
    assert fix_of_the_finding()[0] is None and "uses trio" in fix_of_the_finding()[1]
