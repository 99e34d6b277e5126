"""The Language Server while the user types: broken buffers, a burst of edits (debounce), pull
diagnostics, other files changing, and the client's settings. Each test drives
``asynclint server`` over stdio with a scripted client (tests/test_lsp.py's)."""

from __future__ import annotations

import os
import time

import pytest

from asynclint import lsp
from test_lsp import BLOCKING, CLEAN, Client

pytestmark = pytest.mark.skipif(not lsp.pygls_available(),
                                reason="the Language Server needs pygls 2 (pip install 'asynclint[lsp]')")


def start(root, capabilities: dict | None = None, options: dict | None = None,
          answers: dict | None = None) -> Client:
    (root / "pyproject.toml").write_text("[tool.asynclint]\n")
    client = Client(root)
    client.answers.update(answers or {})
    client.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(),
                                  "capabilities": capabilities or {}, "initializationOptions": options})
    client.notify("initialized", {})
    return client


def open_document(client: Client, root, name: str, text: str) -> str:
    uri = (root / name).as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1, "text": text}})
    return uri


def change(client: Client, uri: str, version: int, text: str) -> None:
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                             "contentChanges": [{"text": text}]})


@pytest.fixture
def server(tmp_path):
    client = start(tmp_path)
    yield client
    client.close()


@pytest.mark.parametrize("text, reason", [
    ("x = (((\n", "never closed"),  # no async code in it: parsed all the same
    ("import time\nx = 1\0\n", "null bytes"),
])
def test_a_buffer_that_does_not_parse_is_reported(server, tmp_path, text, reason):
    uri = open_document(server, tmp_path, "broken.py", text)
    [diagnostic] = server.diagnostics(uri, 1)
    assert diagnostic["code"] == "ASL001" and diagnostic["severity"] == 1
    assert reason in diagnostic["message"]


def test_a_burst_of_edits_is_checked_once_after_the_last(tmp_path):
    # A long pause (set through initializationOptions) makes "once" independent of the machine's speed.
    client = start(tmp_path, options={"debounceMs": 1000})
    try:
        uri = open_document(client, tmp_path, "app.py", CLEAN)
        assert client.diagnostics(uri, 1) == []
        for version in range(2, 7):
            change(client, uri, version, BLOCKING if version == 6 else CLEAN + "#" * version + "\n")
        assert [d["code"] for d in client.diagnostics(uri, 6)] == ["ASL101"]
        published = [m for m in client.pending if m.get("method") == "textDocument/publishDiagnostics"]
        assert [m["params"]["version"] for m in published] == []  # versions 2-5: never checked
    finally:
        client.close()


def test_pull_diagnostics(tmp_path):
    client = start(tmp_path, capabilities={"textDocument": {"diagnostic": {"dynamicRegistration": False}}})
    try:
        uri = open_document(client, tmp_path, "app.py", BLOCKING)
        report = client.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
        assert report["kind"] == "full" and [d["code"] for d in report["items"]] == ["ASL101"]
        again = client.request("textDocument/diagnostic", {"textDocument": {"uri": uri},
                                                           "previousResultId": report["resultId"]})
        assert again["kind"] == "unchanged"
        change(client, uri, 2, CLEAN)
        report = client.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
        assert report["items"] == []
        assert not [m for m in client.pending if m.get("method") == "textDocument/publishDiagnostics"]
    finally:
        client.close()


@pytest.mark.parametrize("how", ["didChangeWatchedFiles", "didSave"])
def test_a_change_to_an_imported_module_refreshes_the_open_documents(server, tmp_path, how):
    helpers = tmp_path / "helpers.py"
    helpers.write_text("import time\n\n\ndef pause():\n    time.sleep(1)\n")
    uri = open_document(server, tmp_path, "uses_helpers.py",
                        "from helpers import pause\n\n\nasync def handler():\n    pause()\n")
    assert [d["code"] for d in server.diagnostics(uri, 1)] == ["ASL401"]
    helpers.write_text("def pause():\n    return None\n")
    later = time.time_ns() + 10**9
    os.utime(helpers, ns=(later, later))
    if how == "didSave":  # saved from the editor, where it is open too
        helper_uri = open_document(server, tmp_path, "helpers.py", helpers.read_text())
        server.notify("textDocument/didSave", {"textDocument": {"uri": helper_uri}})
    else:  # changed on disk by another program
        server.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": helpers.as_uri(), "type": 2}]})
    assert server.diagnostics(uri, 1) == []


def test_settings_from_workspace_configuration(tmp_path):
    client = start(tmp_path, capabilities={"workspace": {"configuration": True}},
                   answers={"workspace/configuration": [{"ignore": ["ASL101"]}]})
    try:
        client.wait(lambda m: m.get("method") == "workspace/configuration", "the server's configuration request")
        uri = open_document(client, tmp_path, "app.py", BLOCKING)
        assert client.diagnostics(uri, 1) == []
        client.answers["workspace/configuration"] = [{"ignore": []}]
        client.notify("workspace/didChangeConfiguration", {"settings": {}})
        client.wait(lambda m: m.get("method") == "workspace/configuration", "the request after the change")
        assert [d["code"] for d in client.diagnostics(uri, 1)] == ["ASL101"]
    finally:
        client.close()


def test_settings_from_initialization_options(tmp_path):
    client = start(tmp_path, options={"ignore": ["ASYNC251"]})  # the peer codes work here too
    try:
        uri = open_document(client, tmp_path, "app.py", BLOCKING)
        assert client.diagnostics(uri, 1) == []
    finally:
        client.close()
