"""The pytest door: ``--asynclint-blocking`` watches every event loop the tests run and reports each
time a loop step holds the loop longer than the threshold, where, and whether ``asynclint check``
already reports it (docs/pytest-plugin.md). Inactive unless the option is given: this module is
loaded by every pytest run where asynclint is installed, so it imports nothing else until then.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

MODES = ("report", "fail")
DEFAULT_THRESHOLD_MS = 100.0
_WORST_SHOWN = 10
_INSTALLED = frozenset({"site-packages", "dist-packages"})  # a project's virtualenv is not its code
_TO_THREAD = {"asyncio": "asyncio.to_thread", "trio": "trio.to_thread.run_sync"}
_LOOP_LIBRARIES = frozenset({"asyncio", "trio", "anyio"})


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("asynclint", "asynclint: the event loop held by blocking code")
    group.addoption("--asynclint-blocking", nargs="?", const="report", default=None, metavar="report|fail",
                    help="watch the event loops the tests run and report each step that holds the loop "
                         "(report, the default) or also fail the test that blocked (fail)")
    group.addoption("--asynclint-blocking-threshold", metavar="MS", default=None,
                    help="how long a loop step may run before it counts as blocking, in milliseconds "
                         f"(default: the ini option asynclint_blocking_threshold, else {DEFAULT_THRESHOLD_MS:g})")
    group.addoption("--asynclint-blocking-report", metavar="PATH", default=None,
                    help="write the episodes as JSON to PATH (for `asynclint check --runtime-report PATH`)")
    parser.addini("asynclint_blocking_threshold", f"--asynclint-blocking-threshold (default {DEFAULT_THRESHOLD_MS:g})",
                  default=None)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args: list[str]) -> None:
    """``--asynclint-blocking tests/`` is report mode on tests/: argparse would take the path for
    the option's value (the list is the one pytest goes on to parse)."""
    for index, arg in enumerate(args[:-1]):
        if arg == "--asynclint-blocking" and args[index + 1] not in MODES:
            args[index] = "--asynclint-blocking=report"


def pytest_configure(config: pytest.Config) -> None:
    mode = config.getoption("asynclint_blocking")
    if mode is None:
        return
    if mode not in MODES:
        raise pytest.UsageError(f"--asynclint-blocking={mode}: the mode is one of {', '.join(MODES)}")
    config.pluginmanager.register(BlockingWatch(config, mode, _threshold_ms(config)), "asynclint-blocking")


def _threshold_ms(config: pytest.Config) -> float:
    given = config.getoption("asynclint_blocking_threshold")
    name = "--asynclint-blocking-threshold"
    if given is None:
        given, name = config.getini("asynclint_blocking_threshold"), "asynclint_blocking_threshold"
    if given is None or given == "":
        return DEFAULT_THRESHOLD_MS
    try:
        value = float(given)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise pytest.UsageError(f"{name}: a positive number of milliseconds, not {given!r}")
    return value


@dataclass
class Episode:
    nodeid: str | None  # the test running when the loop was held (None: outside any test)
    held: object  # loopwatch.Held
    phase: str | None = None  # setup, call or teardown, once the phase's report is made


class BlockingWatch:
    """The plugin while active: one per pytest session."""

    def __init__(self, config: pytest.Config, mode: str, threshold_ms: float) -> None:
        from asynclint.loopwatch import LoopWatch

        self.config = config
        self.mode = mode
        self.threshold_ms = threshold_ms
        self.root = os.path.realpath(str(config.rootpath))
        self.report_path = config.getoption("asynclint_blocking_report")
        self.episodes: list[Episode] = []
        self._running: str | None = None
        self._static = _StaticCheck(self.root)
        self._watch = LoopWatch(threshold_ms / 1000, self._held, self._is_project)

    def _is_project(self, path: str) -> bool:
        if not os.path.isabs(path):  # <frozen ...>, <string>
            return False
        path = os.path.realpath(path)
        return path.startswith(self.root + os.sep) and not _INSTALLED.intersection(path.split(os.sep))

    def _held(self, held) -> None:
        self.episodes.append(Episode(self._running, held))

    # -- the session -------------------------------------------------------------------------

    def pytest_sessionstart(self, session) -> None:
        self._watch.start()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        self._running = item.nodeid
        try:
            yield
        finally:
            self._running = None

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        mine = [e for e in self.episodes if e.nodeid == item.nodeid and e.phase is None
                and call.start <= e.held.ended <= call.stop]
        for episode in mine:
            episode.phase = call.when
        if mine and self.mode == "fail" and report.passed:
            report.outcome = "failed"
            report.longrepr = "asynclint: the test held the event loop\n" + "\n".join(
                self._describe(e) for e in mine)

    def pytest_sessionfinish(self, session) -> None:
        self._watch.stop()
        places = (episode.held.where() for episode in self.episodes)
        self._static.check(frame.path for where in places if where is not None for frame in where.stack)
        if self.report_path:
            from asynclint.runtime_report import dump

            dump(self.report_path, self.root, self.threshold_ms, [self._event(e) for e in self.episodes])

    def pytest_terminal_summary(self, terminalreporter) -> None:
        write = terminalreporter.write_line
        terminalreporter.section(f"asynclint: event loop held (threshold {self.threshold_ms:g} ms)")
        if not self.episodes:
            write("no loop step held the loop that long")
            return
        verdicts = [self._verdict(e) for e in self.episodes]
        reported = sum(1 for code, _ in verdicts if code)
        tests = len({e.nodeid for e in self.episodes})
        write(f"{_count(len(self.episodes), 'episode')} in {_count(tests, 'test')}; "
              f"asynclint check reports {reported} of them.")
        worst = sorted(self.episodes, key=lambda e: -e.held.seconds)[:_WORST_SHOWN]
        for episode in worst:
            write("  " + self._line(episode))
        hints = dict.fromkeys(hint for code, hint in verdicts if not code and hint)
        if hints:
            write("What would make asynclint check report the others:")
            for hint in hints:
                write(f"  {hint}")
        if self.report_path:
            write(f"episodes written to {self.report_path}")

    # -- what an episode says ------------------------------------------------------------------

    def _relative(self, path: str) -> str:
        return os.path.relpath(os.path.realpath(path), self.root).replace(os.sep, "/")

    def _line(self, episode: Episode) -> str:
        where = episode.held.where()
        place = "(not sampled)"
        if where is not None and where.stack:
            top = where.stack[0]
            place = f"{self._relative(top.path)}:{top.line} in {top.function}()"
            if where.call:
                place += f" calling {where.call}()"
        code, _ = self._verdict(episode)
        static = f"[reported: {code}]" if code else "[not reported]"
        return f"{episode.held.seconds * 1000:.0f} ms  {episode.nodeid or '(outside tests)'}  {place}  {static}"

    def _describe(self, episode: Episode) -> str:
        code, hint = self._verdict(episode)
        text = self._line(episode)
        where = episode.held.where()
        if where is not None and len(where.stack) > 1:
            text += "\n  stack: " + " <- ".join(f"{self._relative(f.path)}:{f.line} {f.function}" for f in where.stack)
        if hint and not code:
            text += f"\n  to have asynclint check report it: {hint}"
        return text

    def _verdict(self, episode: Episode) -> tuple[str | None, str | None]:
        """The code asynclint check reports on the episode's frames (None: not reported), and
        otherwise what would make it report the episode."""
        where = episode.held.where()
        if where is None or not where.stack:
            return None, None
        for frame in where.stack:
            code = self._static.code_at(frame.path, frame.line)
            if code:
                return code, None
        from asynclint.rules import RULES

        for frame in where.stack:
            code = self._static.code_at(frame.path, frame.line, enabled=False)
            if code:
                remedy = (f'extend-select = ["{code}"] in [tool.asynclint]' if not RULES[code].enabled_by_default
                          else "the project's `ignore` or `per-file-ignores` in [tool.asynclint] leave it off")
                return None, f"{code} ({RULES[code].name}) reports it, but it is off here: {remedy}"
        return None, _hint(where, episode.held.loop, self._static.settings(where.stack[0].path))

    def _event(self, episode: Episode) -> dict:
        where = episode.held.where()
        stack = where.stack if where is not None else ()
        code, hint = self._verdict(episode)
        top = stack[0] if stack else None
        return {
            "nodeid": episode.nodeid, "phase": episode.phase, "loop": episode.held.loop,
            "duration_ms": round(episode.held.seconds * 1000, 1), "samples": len(episode.held.samples),
            "path": top and self._relative(top.path), "line": top and top.line, "function": top and top.function,
            "call": where and where.call, "library_frame": where and where.library_frame,
            "receiver_type": where and where.receiver_type,
            "stack": [{"path": self._relative(f.path), "line": f.line, "function": f.function} for f in stack],
            "static": "reported" if code else "not reported",
            **({"code": code} if code else {"suggestion": hint}),
        }


def _hint(where, loop: str, settings) -> str | None:
    """The configuration line or catalog row that would have the static check report what
    ``where`` saw block (None when nothing would: a CPU loop in an async function itself)."""
    from asynclint import catalog

    top = where.stack[0]
    to_thread = _TO_THREAD.get(loop, "asyncio.to_thread")
    if where.call:
        call = where.call
        if call.partition(".")[0] in _LOOP_LIBRARIES:  # the loop's own API: what it ran held the loop
            return None
        if settings is not None and call in settings.allow:
            return f"`{call}` is in `allow` in [tool.asynclint]: remove it"
        if catalog.lookup(call, {}) is not None:
            if where.receiver_type:
                return (f"the catalog lists `{call}`, but the static check did not know the receiver's type: "
                        f"annotate it `{where.receiver_type}` ({top.function} in {top.module})")
            return f"the catalog lists `{call}`, but the static check did not follow the call in {top.module}.{top.function}"
        return f'extra-blocking = {{ "{call}" = "{to_thread}" }} in [tool.asynclint], or a catalog row for `{call}`'
    if top.is_async or "<locals>" in top.function:
        return None
    return f'extra-blocking = {{ "{top.module}.{top.function}" = "{to_thread}" }} in [tool.asynclint] (CPU-bound code)'


class _StaticCheck:
    """What ``asynclint check`` reports on the files episodes passed through, each file checked
    once, through the pipeline (its settings, exclusions, cache and project-wide analysis), with
    every rule: a finding of a rule the project's settings leave off (ASL402's "may block, when",
    a per-file ignore of tests/) is the configuration line that would have reported the episode."""

    def __init__(self, root: str) -> None:
        self._root = root  # the project's root where it has no pyproject.toml
        self._lines: dict[bool, dict[str, dict[int, str]]] = {True: {}, False: {}}  # by: the code is on here

    def code_at(self, path: str, line: int, *, enabled: bool = True) -> str | None:
        """The code of a finding on ``line``, of a rule on in ``path``'s settings (``enabled``) or off."""
        self.check([path])
        return self._lines[enabled][path].get(line)

    def check(self, paths) -> None:
        """Check the files not checked yet, in one run (one project index for them all)."""
        from asynclint.config import ConfigError, Options, settings_for
        from asynclint.engine import enabled_codes
        from asynclint.runner import check_paths

        new = sorted(set(paths) - self._lines[True].keys())
        if not new:
            return
        for path in new:
            self._lines[True][path], self._lines[False][path] = {}, {}
        try:
            result = check_paths(new, options=Options(root=self._root, extend_select=("ALL",)), jobs=1)
            enabled = {path: enabled_codes(settings_for(path, Options(root=self._root)).settings, path)
                       for path in new}
        except ConfigError:  # the project's configuration is broken: `asynclint check` says why
            return
        for d in result.diagnostics:
            path = os.path.abspath(d.path)
            if path not in enabled:
                continue
            lines = self._lines[d.code in enabled[path]][path]
            for line in range(d.line, (d.end_line or d.line) + 1):
                lines.setdefault(line, d.code)

    @staticmethod
    def settings(path: str):
        from asynclint.config import ConfigError, settings_for

        try:
            return settings_for(path).settings
        except ConfigError:
            return None


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"
