"""The fixers: one per ``model.FixKind``, each turning a finding's node into an ``Edit``.

``FIXERS`` is the one mapping from a fix kind to its fixer (tests/test_fix.py checks that none is
missing). A fixer that can fall back rewrites the call to the async library's own API where it
applies, else moves the call to a worker thread as ``ThreadFixer`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import libcst as cst

from asynclint.fix.edit import (Edit, awaiting, commas, dotted, fresh, keyword_arg, prepend, root_names,
                                statement_line)
from asynclint.fix.tree import Tree
from asynclint.model import Diagnostic, FixKind

# Methods of a file object that have an awaitable counterpart on aiofiles', anyio's and trio's files.
ASYNC_FILE_METHODS = frozenset(
    "read read1 readline readlines readinto write writelines flush seek tell truncate".split())
HTTP_VERBS = frozenset("get post put patch delete head options request".split())
# requests keywords httpx has no per-request spelling for; those it sets on the client instead.
HTTP_INCOMPATIBLE = frozenset("proxies stream hooks".split())
HTTP_CLIENT_KEYWORDS = ("verify", "cert")
# What requests' response has and httpx's lacks or spells differently.
REQUESTS_ONLY_RESPONSE = frozenset("ok iter_content iter_lines raw reason apparent_encoding next".split())
SUBPROCESS_KEYWORDS = frozenset(("cwd", "env"))
# The method of trio's and anyio's async Path that does what an os function does to its path.
PATH_METHODS = {"os.remove": "unlink", "os.unlink": "unlink", "os.rmdir": "rmdir", "os.path.exists": "exists",
                "os.path.isfile": "is_file", "os.path.isdir": "is_dir"}

# Calls that make a path of text: only such a path can become an async Path (os.remove also
# takes bytes and os.path.exists a file descriptor, which pathlib refuses).
_TEXT_PATH_MAKERS = frozenset({"Path", "PurePath", "PosixPath", "WindowsPath", "str"})


def _text_path(expr: cst.BaseExpression) -> bool:
    """Whether the expression is certainly a path of text: a str literal, an f-string, a Path
    made from something, or a Path joined with ``/``."""
    if isinstance(expr, cst.SimpleString):
        return "b" not in expr.prefix.lower()
    if isinstance(expr, cst.FormattedString):
        return "b" not in expr.start.lower()
    if isinstance(expr, cst.ConcatenatedString):
        return _text_path(expr.left) and _text_path(expr.right)
    if isinstance(expr, cst.Call):
        func = expr.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
        return name in _TEXT_PATH_MAKERS
    return (isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide)
            and _text_path(expr.left))


SLEEP = {"asyncio": ("asyncio", "asyncio.sleep"), "trio": ("trio", "trio.sleep"),
         "anyio": ("anyio", "anyio.sleep")}
TO_THREAD = {"asyncio": ("asyncio", "asyncio.to_thread"), "trio": ("trio", "trio.to_thread.run_sync"),
             "anyio": ("anyio.to_thread", "anyio.to_thread.run_sync")}
OPEN_FILE = {"asyncio": ("aiofiles", "aiofiles.open"), "trio": ("trio", "trio.open_file"),
             "anyio": ("anyio", "anyio.open_file")}


@dataclass(frozen=True)
class FixContext:
    """What a fixer may look at: the tree, the module's async library and the third-party async
    libraries (aiofiles, httpx) the project depends on."""

    tree: Tree
    backend: str
    libraries: frozenset[str] = frozenset()


class Fixer:
    """The rewrite of one fix kind. ``calls_only``: any other node (a name, an attribute) is left
    alone; ``falls_back_to_thread``: where ``rewrite`` cannot, the call moves to a worker thread."""

    kind: ClassVar[FixKind]
    calls_only: ClassVar[bool] = True
    falls_back_to_thread: ClassVar[bool] = False

    def __call__(self, ctx: FixContext, node: cst.BaseExpression, d: Diagnostic) -> Edit | None:
        if self.calls_only and not isinstance(node, cst.Call):
            return None
        edit = self.rewrite(ctx, node, d)
        if edit is None and self.falls_back_to_thread:
            edit = FIXERS[FixKind.THREAD].rewrite(ctx, node, d)
        return edit

    def rewrite(self, ctx: FixContext, node: cst.BaseExpression, d: Diagnostic) -> Edit | None:
        raise NotImplementedError

    def wraps_in_thread(self, ctx: FixContext, call: cst.Call, d: Diagnostic) -> bool:
        """Whether the fix of this call is the thread wrap (``ThreadFixer``'s, or the fallback to it)."""
        return self.kind is FixKind.THREAD or (self.falls_back_to_thread and self.rewrite(ctx, call, d) is None)


class SleepFixer(Fixer):
    """``time.sleep(x)`` -> ``await asyncio.sleep(x)``."""

    kind = FixKind.SLEEP

    def rewrite(self, ctx: FixContext, call: cst.Call, d: Diagnostic) -> Edit | None:
        module, name = SLEEP[ctx.backend]
        edit = Edit(call, d, imports={module}, unused=root_names(call.func))
        edit.replace(call, lambda new: awaiting(new.with_changes(func=dotted(name), lpar=[], rpar=[]), new))
        return edit


class ThreadFixer(Fixer):
    """``f(x)`` -> ``await asyncio.to_thread(f, x)`` (a ``functools.partial`` for keywords under trio and anyio)."""

    kind = FixKind.THREAD

    def rewrite(self, ctx: FixContext, call: cst.Call, d: Diagnostic) -> Edit | None:
        module, name = TO_THREAD[ctx.backend]
        edit = Edit(call, d, imports={module})
        has_keywords = any(a.keyword is not None or a.star == "**" for a in call.args)
        if ctx.backend != "asyncio" and has_keywords:
            edit.imports.add("functools")

            def build(new: cst.Call) -> cst.BaseExpression:
                partial = new.with_changes(func=dotted("functools.partial"), lpar=[], rpar=[],
                                           args=prepend(cst.Arg(new.func), new))
                return awaiting(cst.Call(func=dotted(name), args=[cst.Arg(partial)]), new)
        else:
            def build(new: cst.Call) -> cst.BaseExpression:
                return awaiting(new.with_changes(func=dotted(name), lpar=[], rpar=[],
                                                 args=prepend(cst.Arg(new.func), new)), new)
        edit.replace(call, build)
        return edit


class PathFixer(Fixer):
    """An os function of a path -> the method of trio's and anyio's async Path (else a thread)."""

    kind = FixKind.PATH
    falls_back_to_thread = True

    def rewrite(self, ctx: FixContext, call: cst.Call, d: Diagnostic) -> Edit | None:
        """Under trio and anyio, ``os.remove(p)`` -> ``await anyio.Path(p).unlink()`` (the path
        alone as the argument)."""
        method = PATH_METHODS.get(d.target or "")
        if (ctx.backend == "asyncio" or method is None or len(call.args) != 1 or call.args[0].keyword
                or call.args[0].star or not _text_path(call.args[0].value)):
            return None
        edit = Edit(call, d, imports={ctx.backend}, unused=root_names(call.func))
        path_class = dotted(f"{ctx.backend}.Path")
        edit.replace(call, lambda new: awaiting(cst.Call(cst.Attribute(
            cst.Call(path_class, args=[new.args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)]),
            cst.Name(method))), new))
        return edit


class RunningLoopFixer(Fixer):
    """``asyncio.get_event_loop()`` -> ``asyncio.get_running_loop()``."""

    kind = FixKind.RUNNING_LOOP
    calls_only = False

    def rewrite(self, ctx: FixContext, node: cst.CSTNode, d: Diagnostic) -> Edit | None:
        tree = ctx.tree
        call = tree.parent(node)
        if not isinstance(node, cst.Call) and isinstance(call, cst.Call) and call.func is node:
            node = call  # reported on the callee rather than the call
        if not isinstance(node, cst.Call):
            return None
        func = node.func
        edit = Edit(node, d)
        if isinstance(func, cst.Attribute) and func.attr.value == "get_event_loop":
            edit.replace(node, lambda new: new.with_changes(
                func=new.func.with_changes(attr=cst.Name("get_running_loop"))))
        elif isinstance(func, cst.Name) and func.value == "get_event_loop":
            edit.imports.add("asyncio")
            edit.unused.add(func.value)
            edit.replace(node, lambda new: new.with_changes(func=dotted("asyncio.get_running_loop")))
        else:
            return None
        return edit


class AwaitFixer(Fixer):
    """A coroutine never awaited -> awaited."""

    kind = FixKind.AWAIT
    calls_only = False

    def rewrite(self, ctx: FixContext, node: cst.BaseExpression, d: Diagnostic) -> Edit | None:
        tree = ctx.tree
        if isinstance(tree.parent(node), cst.Await):
            return None
        edit = Edit(node, d)
        edit.replace(node, lambda new: awaiting(new.with_changes(lpar=[], rpar=[]), new))
        return edit


class OpenFixer(Fixer):
    """``open`` -> the async library's file (else a thread)."""

    kind = FixKind.OPEN
    falls_back_to_thread = True

    def rewrite(self, ctx: FixContext, call: cst.Call, d: Diagnostic) -> Edit | None:
        """``with open(p) as f:`` -> ``async with aiofiles.open(p) as f:``, awaiting ``f``'s methods;
        ``for line in open(p):`` reads the lines in a worker thread."""
        tree = ctx.tree
        if d.target in ("builtins.open", "io.open"):
            lines = self._lines_in_thread(ctx, call, d)
            if lines is not None:
                return lines
        if d.target not in ("builtins.open", "io.open", "pathlib.Path.open") or (
                ctx.backend == "asyncio" and "aiofiles" not in ctx.libraries):
            return None
        item = tree.parent(call)
        statement = tree.parent(item) if isinstance(item, cst.WithItem) else None
        if not (isinstance(statement, cst.With) and statement.asynchronous is None
                and len(statement.items) == 1 and item.item is call
                and item.asname is not None and isinstance(item.asname.name, cst.Name)):
            return None
        name = item.asname.name.value
        tree.index(statement)
        uses = NameUses(name)
        statement.body.visit(uses)
        awaited, loops, loads = [], [], []
        for use in uses.found:
            where = tree.parent(use)
            if (isinstance(where, cst.Attribute) and where.value is use and where.attr.value in ASYNC_FILE_METHODS
                    and isinstance(tree.parent(where), cst.Call) and tree.parent(where).func is where
                    and tree.await_legal(where)):
                awaited.append(tree.parent(where))
            elif isinstance(where, cst.For) and where.iter is use and where.asynchronous is None \
                    and tree.await_legal(where):
                loops.append(where)
            elif self._json_load_of(tree, use) is not None:
                loads.append(self._json_load_of(tree, use))
            else:
                return None  # a use that cannot be rewritten: the caller wraps the open in a thread
        if uses.rebound:
            return None
        module, opener = OPEN_FILE[ctx.backend]
        edit = Edit(statement, d, imports={module})
        method = d.target == "pathlib.Path.open"
        if method and not isinstance(call.func, cst.Attribute):
            return None

        def opened(new: cst.Call) -> cst.Call:
            # `path.open(mode)` -> `aiofiles.open(path, mode)`: the path becomes the first argument.
            args = new.args
            if method:
                path = new.func.value
                if not isinstance(path, (cst.GeneratorExp, cst.Tuple)):
                    path = path.with_changes(lpar=[], rpar=[])  # an argument needs no parentheses
                args = prepend(cst.Arg(path), new)
            return new.with_changes(func=dotted(opener), args=args, lpar=[], rpar=[])
        if ctx.backend == "asyncio":
            edit.replace(call, lambda new: opened(new).with_changes(lpar=new.lpar, rpar=new.rpar))
        else:
            edit.replace(call, lambda new: awaiting(opened(new), new))
        for method_call in awaited:
            edit.replace(method_call, lambda new: awaiting(new.with_changes(lpar=[], rpar=[]), new))
        for load in loads:  # json.load(f) -> json.loads(await f.read())
            edit.replace(load, lambda new: new.with_changes(
                func=new.func.with_changes(attr=cst.Name("loads")),
                args=[new.args[0].with_changes(value=cst.Await(cst.Call(
                    cst.Attribute(new.args[0].value, cst.Name("read"))))), *new.args[1:]]))
        for loop in loops:
            edit.replace(loop, lambda new: new.with_changes(asynchronous=cst.Asynchronous()))
        edit.replace(statement, lambda new: new.with_changes(asynchronous=cst.Asynchronous()))
        return edit

    def _json_load_of(self, tree: Tree, use: cst.Name) -> cst.Call | None:
        """The ``json.load(f)`` call that ``f`` is the first argument of (``json`` imported as such)."""
        arg = tree.parent(use)
        call = tree.parent(arg) if isinstance(arg, cst.Arg) else None
        if not (isinstance(call, cst.Call) and call.args[0] is arg and arg.keyword is None and not arg.star
                and isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name)
                and call.func.value.value == "json" and call.func.attr.value == "load"
                and all(a.keyword is not None for a in call.args[1:]) and tree.await_legal(call)):
            return None
        imported = any(isinstance(small, cst.Import) and any(
            a.asname is None and isinstance(a.name, cst.Name) and a.name.value == "json" for a in small.names)
            for line in tree.module.body if isinstance(line, cst.SimpleStatementLine) for small in line.body)
        return call if imported else None

    def _lines_in_thread(self, ctx: FixContext, call: cst.Call, d: Diagnostic) -> Edit | None:
        """``for line in open(p):`` -> ``for line in await asyncio.to_thread(lambda: open(p).readlines()):``
        the same lines, read in a worker thread (all at once: a loop that stops early reads more)."""
        tree = ctx.tree
        loop = tree.parent(call)
        if not (isinstance(loop, cst.For) and loop.iter is call and loop.asynchronous is None):
            return None
        module, name = TO_THREAD[ctx.backend]
        edit = Edit(call, d, imports={module})
        edit.replace(call, lambda new: cst.Await(cst.Call(dotted(name), args=[cst.Arg(cst.Lambda(
            cst.Parameters(), cst.Call(cst.Attribute(new.with_changes(lpar=[], rpar=[]), cst.Name("readlines")))))])))
        return edit


class HttpFixer(Fixer):
    """requests -> an ``httpx.AsyncClient`` (else a thread)."""

    kind = FixKind.HTTP
    falls_back_to_thread = True

    def rewrite(self, ctx: FixContext, call: cst.Call, d: Diagnostic) -> Edit | None:
        """``r = requests.get(url)`` -> ``async with httpx.AsyncClient(follow_redirects=True,
        timeout=None) as client: r = await client.get(url)``: requests' defaults (it follows
        redirects and has no timeout), ``verify=``/``cert=`` moved to the client, the call's own
        ``timeout=`` and ``allow_redirects=`` (as ``follow_redirects=``) kept. Only where the project
        depends on httpx, and no use of the response needs what only requests' response has."""
        tree = ctx.tree
        module, _, verb = (d.target or "").rpartition(".")
        if "httpx" not in ctx.libraries or module not in ("requests", "requests.api", "httpx") \
                or verb not in HTTP_VERBS:
            return None
        keywords = {a.keyword.value: a for a in call.args if a.keyword is not None}
        if any(a.star == "**" for a in call.args) or set(keywords) & HTTP_INCOMPATIBLE:
            return None
        timeout = keywords.get("timeout")
        if timeout is not None and not isinstance(timeout.value, (cst.Integer, cst.Float, cst.Name)):
            return None  # requests' (connect, read) tuple has no httpx spelling
        # httpx takes only the URL (and for `request`, the method first) positionally.
        positional = [a for a in call.args if a.keyword is None]
        if any(a.star == "*" for a in positional) or \
                len([a for a in positional if not a.star]) != (2 if verb == "request" else 1):
            return None
        line = next((a for a in tree.ancestors(call) if isinstance(a, cst.SimpleStatementLine)), None)
        if line is None or len(line.body) != 1 or not isinstance(tree.parent(line), cst.IndentedBlock):
            return None
        function = next(a for a in tree.ancestors(line) if isinstance(a, cst.FunctionDef))
        if self._uses_requests_only_response_api(tree, call, line, function):
            return None
        names = NameUses(None)
        function.visit(names)
        client = next(c for c in ("client", "http_client", *(f"http_client_{n}" for n in range(2, 100)))
                      if c not in names.all_names)
        edit = Edit(line, d, imports={"httpx"}, unused=root_names(call.func))
        on_client = [keywords[k] for k in HTTP_CLIENT_KEYWORDS if k in keywords]
        client_args = [keyword_arg("follow_redirects", cst.Name("True")), *(
            [] if timeout is not None else [keyword_arg("timeout", cst.Name("None"))]), *(
            a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in on_client)]

        def request(new: cst.Call) -> cst.BaseExpression:
            args = [a.with_changes(keyword=cst.Name("follow_redirects"))
                    if a.keyword is not None and a.keyword.value == "allow_redirects" else a
                    for a in new.args if a.keyword is None or a.keyword.value not in HTTP_CLIENT_KEYWORDS]
            args = commas([a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in args])
            return awaiting(new.with_changes(func=cst.Attribute(cst.Name(client), cst.Name(verb)), args=args,
                                             lpar=[], rpar=[]), new)
        edit.replace(call, request)

        def wrap(new: cst.SimpleStatementLine) -> cst.With:
            opened = cst.Call(dotted("httpx.AsyncClient"), args=commas(client_args))
            return cst.With(
                items=[cst.WithItem(opened, asname=cst.AsName(cst.Name(client)))],
                body=cst.IndentedBlock(body=[new.with_changes(leading_lines=[])]),
                asynchronous=cst.Asynchronous(), leading_lines=new.leading_lines)
        edit.replace(line, wrap)
        return edit

    def _uses_requests_only_response_api(self, tree: Tree, call: cst.Call, line: cst.SimpleStatementLine,
                                         function: cst.FunctionDef) -> bool:
        """Whether the response (used at once, or through the name it is assigned to) is asked
        for something httpx's response lacks or spells differently (``r.ok``, ``r.iter_content()``)."""
        where = tree.parent(call)
        if isinstance(where, cst.Attribute) and where.value is call:
            return where.attr.value in REQUESTS_ONLY_RESPONSE
        statement = line.body[0]
        if not (isinstance(statement, cst.Assign) and statement.value is call):
            return False
        if len(statement.targets) != 1 or not isinstance(statement.targets[0].target, cst.Name):
            return True
        uses = _AttributesOf(statement.targets[0].target.value)
        function.visit(uses)
        return bool(uses.attributes & REQUESTS_ONLY_RESPONSE)


class SubprocessFixer(Fixer):
    """``subprocess`` -> the async library's process API (else a thread)."""

    kind = FixKind.SUBPROCESS
    falls_back_to_thread = True

    def rewrite(self, ctx: FixContext, call: cst.Call, d: Diagnostic) -> Edit | None:
        """A literal argument list, with only ``cwd``/``env`` (and for ``run``: ``capture_output``,
        ``check``) -> ``asyncio.create_subprocess_exec``:

        - ``subprocess.call([...])``, or ``run``/``check_call`` as a statement without a check:
          ``await (await asyncio.create_subprocess_exec(...)).wait()``, one expression;
        - ``result = subprocess.run([...], capture_output=True, check=True)``: statements that start
          the process, ``communicate()`` with it and build the same ``subprocess.CompletedProcess``
          (``check_returncode()`` raises as ``check=True`` did).
        """
        tree = ctx.tree
        target = d.target or ""
        if target not in ("subprocess.call", "subprocess.run", "subprocess.check_call"):
            return None
        args = call.args
        if not args or args[0].keyword is not None or args[0].star or not isinstance(args[0].value, (cst.List, cst.Tuple)):
            return None
        elements = args[0].value.elements
        if not elements or any(isinstance(e, cst.StarredElement) for e in elements):
            return None
        options: dict[str, cst.Arg] = {}
        for arg in args[1:]:
            if arg.keyword is None:
                return None
            options[arg.keyword.value] = arg
        allowed = SUBPROCESS_KEYWORDS | ({"capture_output", "check"} if target == "subprocess.run" else set())
        if set(options) - allowed:
            return None
        flags = {}
        for flag in ("capture_output", "check"):
            value = options.pop(flag, None)
            if value is not None and not (isinstance(value.value, cst.Name) and value.value.value in ("True", "False")):
                return None
            flags[flag] = value is not None and value.value.value == "True"
        check = flags["check"] or target == "subprocess.check_call"
        capture = flags["capture_output"]
        if ctx.backend != "asyncio":
            return self._run_process(ctx, call, d, target, check, capture, [options[k] for k in options])
        where = tree.parent(call)
        statement = isinstance(where, cst.Expr)
        if target == "subprocess.call" or (statement and not check and not capture):
            edit = Edit(call, d, imports={"asyncio"}, unused=root_names(call.func))

            def build(new: cst.Call) -> cst.BaseExpression:
                spawn = _spawn([cst.Arg(e.value) for e in new.args[0].value.elements], [options[k] for k in options],
                               capture=False)
                process = cst.Await(spawn, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
                return awaiting(cst.Call(cst.Attribute(process, cst.Name("wait"))), new)
            edit.replace(call, build)
            return edit
        # The statement form: `NAME = subprocess.run(...)` or `subprocess.run(..., check=True)`.
        line = tree.parent(where)
        if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1
                and isinstance(tree.parent(line), cst.IndentedBlock)):
            return None
        if isinstance(where, cst.Assign):
            if len(where.targets) != 1 or not isinstance(where.targets[0].target, cst.Name) or where.value is not call:
                return None
            result = where.targets[0].target.value
        elif not statement:
            return None
        else:
            result = None
        function = next(a for a in tree.ancestors(line) if isinstance(a, cst.FunctionDef))
        taken = NameUses(None)
        function.visit(taken)
        process, out, err = (fresh(base, taken.all_names) for base in ("process", "stdout", "stderr"))
        edit = Edit(line, d, imports={"asyncio"})
        # The process's arguments and the result's `args` are one list: one that is more than
        # literals is made once, bound to a name, so that no argument expression runs twice.
        listed = args[0].value
        bound = None if all(isinstance(e.value, (cst.SimpleString, cst.Integer)) for e in elements) \
            else fresh("command", taken.all_names)
        command = cst.Name(bound) if bound else cst.List(commas([cst.Element(e.value) for e in elements]))

        def build_lines(new: cst.SimpleStatementLine):
            spawned = [cst.Arg(cst.Name(bound), star="*")] if bound else [cst.Arg(e.value) for e in elements]
            spawn = _spawn(spawned, [options[k] for k in options], capture=capture)
            completed = cst.Call(dotted("subprocess.CompletedProcess"), args=commas([
                cst.Arg(command), cst.Arg(dotted(f"{process}.returncode")), cst.Arg(cst.Name(out)),
                cst.Arg(cst.Name(err))]))
            lines = [
                cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(process))], cst.Await(spawn))],
                                        trailing_whitespace=new.trailing_whitespace),
                statement_line(f"{out}, {err} = await {process}.communicate()"),
            ]
            if bound:
                lines.insert(0, cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(bound))], listed)]))
            lines[0] = lines[0].with_changes(leading_lines=new.leading_lines)
            if result is not None:
                lines.append(cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(result))], completed)]))
                if check:
                    lines.append(statement_line(f"{result}.check_returncode()"))
            else:
                lines.append(cst.SimpleStatementLine([cst.Expr(cst.Call(cst.Attribute(completed, cst.Name("check_returncode"))))]))
            return cst.FlattenSentinel(lines)
        edit.replace(line, build_lines)
        return edit

    def _run_process(self, ctx: FixContext, call: cst.Call, d: Diagnostic, target: str, check: bool, capture: bool,
                     keywords: list[cst.Arg]) -> Edit:
        """trio and anyio have ``run_process``, which returns a ``subprocess.CompletedProcess``:
        one expression for every form. trio captures nothing unless asked; anyio captures both
        streams unless told not to."""
        backend = ctx.backend
        edit = Edit(call, d, imports={backend}, unused=root_names(call.func))

        def keyword(name: str, value: str) -> cst.Arg:
            return keyword_arg(name, dotted(value))

        extra = []
        if backend == "trio" and capture:
            extra = [keyword("capture_stdout", "True"), keyword("capture_stderr", "True")]
        elif backend == "anyio" and not capture:
            extra = [keyword("stdout", "None"), keyword("stderr", "None")]
        if not check:
            extra.append(keyword("check", "False"))

        def build(new: cst.Call) -> cst.BaseExpression:
            passed = [cst.Arg(new.args[0].value)]
            passed += [cst.Arg(a.value, keyword=a.keyword, equal=a.equal) for a in new.args[1:]
                       if a.keyword.value in SUBPROCESS_KEYWORDS]
            run = cst.Call(dotted(f"{backend}.run_process"), args=commas(passed + extra))
            if target == "subprocess.call":
                done = cst.Await(run, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
                return cst.Attribute(done, cst.Name("returncode"), lpar=new.lpar, rpar=new.rpar)
            return awaiting(run, new)
        edit.replace(call, build)
        return edit


# One fixer per fix kind: the only place a kind finds its fixer.
FIXERS: dict[FixKind, Fixer] = {fixer.kind: fixer for fixer in (
    SleepFixer(), ThreadFixer(), PathFixer(), RunningLoopFixer(), AwaitFixer(), OpenFixer(), HttpFixer(),
    SubprocessFixer())}


class _AttributesOf(cst.CSTVisitor):
    """The attributes asked of a name in a subtree (``r.ok`` -> ``ok``)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.attributes: set[str] = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value == self.name:
            self.attributes.add(node.attr.value)


class NameUses(cst.CSTVisitor):
    """Every ``Name`` node spelled ``name`` (loads and stores, not attribute names) in a subtree;
    all names seen."""

    def __init__(self, name: str | None, skip: set[int] = frozenset()) -> None:
        super().__init__()
        self.name = name
        self.skip = skip  # the ids of subtrees not to look into
        self.found: list[cst.Name] = []
        self.rebound = False
        self.all_names: set[str] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        return id(node) not in self.skip and super().on_visit(node)

    def visit_Name(self, node: cst.Name) -> None:
        self.all_names.add(node.value)
        if node.value == self.name:
            self.found.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)  # in `x.f`, `f` is not the name `f`
        return False

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        if isinstance(node.target, cst.Name) and node.target.value == self.name:
            self.rebound = True

    def visit_AsName(self, node: cst.AsName) -> None:
        if isinstance(node.name, cst.Name) and node.name.value == self.name:
            self.rebound = True


def _spawn(arguments: list[cst.Arg], keywords: list[cst.Arg], capture: bool) -> cst.Call:
    values = arguments + [cst.Arg(a.value, keyword=a.keyword, equal=a.equal) for a in keywords]
    if capture:
        values += [keyword_arg(stream, dotted("asyncio.subprocess.PIPE")) for stream in ("stdout", "stderr")]
    return cst.Call(dotted("asyncio.create_subprocess_exec"), args=commas(values))
