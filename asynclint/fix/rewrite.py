"""One fix pass: locate each finding's node in a libcst tree, plan non-overlapping edits, apply them.

A finding is located by its exact range (the analysis reports a call's whole ``ast.Call``;
libcst's PositionProvider gives the same range in characters, parentheses excluded). Each
edit has a root node (a call, a ``with`` statement or a statement line) and replaces nodes
by identity. Edits whose roots overlap are left to the next pass of the loop.
"""

from __future__ import annotations

import ast
import bisect
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from asynclint.fix.imports import add_imports, remove_unused
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


@dataclass
class Edit:
    """Replacements by node identity (``id(original)`` -> builder of the updated node)."""

    root: cst.CSTNode
    diagnostic: Diagnostic
    builders: dict[int, Callable[[cst.CSTNode], cst.CSTNode]] = field(default_factory=dict)
    imports: set[str] = field(default_factory=set)
    unused: set[str] = field(default_factory=set)  # root names the edit may have left unused
    targets: list[cst.CSTNode] = field(default_factory=list)
    # The roots of the edits of the later calls the finding covers, made with it (Planner.plan).
    later_roots: list[cst.CSTNode] = field(default_factory=list)

    def replace(self, node: cst.CSTNode, build: Callable[[cst.CSTNode], cst.CSTNode]) -> None:
        self.builders[id(node)] = build
        self.targets.append(node)

    def join(self, later: "Edit") -> None:
        """Make the edit of a later call on what the finding's call made part of this one."""
        self.builders.update(later.builders)
        self.targets += later.targets
        self.imports |= later.imports
        self.unused |= later.unused
        self.later_roots.append(later.root)

    @property
    def roots(self) -> list[cst.CSTNode]:
        return [self.root, *self.later_roots]


class Planner:
    """Turns findings into edits for one tree, deciding what can be rewritten where."""

    def __init__(self, module: cst.Module, backend: str, libraries: frozenset[str] = frozenset()) -> None:
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.module = self.wrapper.module
        self.backend = backend
        self.libraries = libraries  # third-party async libraries the project depends on
        self.positions = self.wrapper.resolve(PositionProvider)
        # Parent links, made only where needed: along the path from the module to each located
        # node, and inside the subtrees a rewrite looks into. (ParentNodeProvider would link
        # every node of the file, at about twice the cost of the positions themselves.)
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self._child_cache: dict[int, tuple[list, list]] = {}
        self.by_range: dict[tuple, list[cst.CSTNode]] = {}
        for node, where in self.positions.items():
            if isinstance(node, cst.BaseExpression):
                self.by_range.setdefault(_key(where), []).append(node)

    # -- finding nodes and their context -------------------------------------------------------

    def locate(self, d: Diagnostic) -> cst.BaseExpression | None:
        nodes = self.by_range.get((d.line, d.col - 1, d.end_line, d.end_col - 1), [])
        calls = [n for n in nodes if isinstance(n, cst.Call)]
        node = (calls or nodes or [None])[0]
        return node if node is not None and self._link_path(node) else None

    def _link_path(self, target: cst.CSTNode) -> bool:
        """Link the parents from the module down to ``target``, descending into the child whose
        range holds the target's range."""
        if target in self.parents:
            return True
        span = _key(self.positions[target])
        node = self.module
        while node is not target:
            children, starts = self._children(node)
            # From the last child starting at or before the target (bisect) backwards: children
            # are in source order and overlap only where one is empty (whitespace, say).
            index = bisect.bisect_right(starts, span[:2]) - 1
            while index >= 0:
                where = _key(self.positions[children[index]])
                if where[:2] <= span[:2] and span[2:] <= where[2:]:
                    break
                if where[:2] != where[2:] and where[2:] <= span[:2]:
                    index = -1  # ends before the target starts: so do all before it
                    break
                index -= 1
            if index < 0:
                return False
            child = children[index]
            self.parents[child] = node
            node = child
        return True

    def _children(self, node: cst.CSTNode) -> tuple[list, list]:
        """A node's children that have a position, in source order, with their start positions."""
        found = self._child_cache.get(id(node))
        if found is None:
            children = [c for c in node.children if c in self.positions]
            found = (children, [_key(self.positions[c])[:2] for c in children])
            self._child_cache[id(node)] = found
        return found

    def index(self, root: cst.CSTNode) -> None:
        """Link the parents of every node under ``root`` (whose own parent is linked already)."""
        stack = [root]
        while stack:
            node = stack.pop()
            for child in node.children:
                self.parents[child] = node
                stack.append(child)

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(node)

    def ancestors(self, node: cst.CSTNode) -> Iterable[cst.CSTNode]:
        node = self.parent(node)
        while node is not None:
            yield node
            node = self.parent(node)

    def await_legal(self, node: cst.CSTNode) -> bool:
        """Whether ``await`` (and ``async for``/``async with``) may stand here without changing
        what the code means: directly in an async def, list/set/dict comprehensions allowed;
        not in a lambda, a class body, a sync generator expression, or a nested def's
        parameters, annotations or decorators (which run in the enclosing scope)."""
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, cst.FunctionDef):
                return ancestor.asynchronous is not None
            if isinstance(ancestor, (cst.Lambda, cst.ClassDef, cst.GeneratorExp, cst.Module,
                                     cst.Parameters, cst.Decorator, cst.Annotation)):
                return False
        return False

    # -- planning ------------------------------------------------------------------------------

    def plan(self, diagnostic: Diagnostic) -> Edit | None:
        """The edit of a finding, joined by those of the later calls it covers (``f.read()`` after
        ``f = open(p)``): all of them or none, so that no fix leaves half of them on the loop."""
        edit = self._plan_call(diagnostic)
        for later in diagnostic.related if edit is not None else ():
            found = replace(diagnostic, line=later.line, col=later.col, end_line=later.end_line, end_col=later.end_col,
                            fix_kind=later.fix_kind, target=later.target, related=())
            node = self.locate(found)
            if node is not None and id(node) in edit.builders:
                continue  # the finding's own rewrite awaits it (`async with aiofiles.open(p) as f`)
            part = self._plan_call(found)
            if part is None:
                return None
            edit.join(part)
        return edit

    def _plan_call(self, diagnostic: Diagnostic) -> Edit | None:
        node = self.locate(diagnostic)
        if node is None or not self.await_legal(node) or diagnostic.fix_kind is None:
            return None
        return FIXERS[diagnostic.fix_kind](self, node, diagnostic)

    def _sleep(self, call: cst.Call, d: Diagnostic) -> Edit:
        module, name = SLEEP[self.backend]
        edit = Edit(call, d, imports={module}, unused=_root_names(call.func))
        edit.replace(call, lambda new: _await(new.with_changes(func=_dotted(name), lpar=[], rpar=[]), new))
        return edit

    def _thread(self, call: cst.Call, d: Diagnostic) -> Edit:
        module, name = TO_THREAD[self.backend]
        edit = Edit(call, d, imports={module})
        has_keywords = any(a.keyword is not None or a.star == "**" for a in call.args)
        if self.backend != "asyncio" and has_keywords:
            edit.imports.add("functools")

            def build(new: cst.Call) -> cst.BaseExpression:
                partial = new.with_changes(func=_dotted("functools.partial"), lpar=[], rpar=[],
                                           args=_prepend(cst.Arg(new.func), new.args))
                return _await(cst.Call(func=_dotted(name), args=[cst.Arg(partial)]), new)
        else:
            def build(new: cst.Call) -> cst.BaseExpression:
                return _await(new.with_changes(func=_dotted(name), lpar=[], rpar=[],
                                               args=_prepend(cst.Arg(new.func), new.args)), new)
        edit.replace(call, build)
        return edit

    def _async_path(self, call: cst.Call, d: Diagnostic) -> Edit | None:
        """Under trio and anyio, ``os.remove(p)`` -> ``await anyio.Path(p).unlink()`` (the path
        alone as the argument)."""
        method = PATH_METHODS.get(d.target or "")
        if (self.backend == "asyncio" or method is None or len(call.args) != 1 or call.args[0].keyword
                or call.args[0].star or not _text_path(call.args[0].value)):
            return None
        edit = Edit(call, d, imports={self.backend}, unused=_root_names(call.func))
        path_class = _dotted(f"{self.backend}.Path")
        edit.replace(call, lambda new: _await(cst.Call(cst.Attribute(
            cst.Call(path_class, args=[new.args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)]),
            cst.Name(method))), new))
        return edit

    def _running_loop(self, node: cst.CSTNode, d: Diagnostic) -> Edit | None:
        call = self.parent(node)
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
            edit.replace(node, lambda new: new.with_changes(func=_dotted("asyncio.get_running_loop")))
        else:
            return None
        return edit

    def _insert_await(self, node: cst.BaseExpression, d: Diagnostic) -> Edit | None:
        if isinstance(self.parent(node), cst.Await):
            return None
        edit = Edit(node, d)
        edit.replace(node, lambda new: _await(new.with_changes(lpar=[], rpar=[]), new))
        return edit

    def _lines_in_thread(self, call: cst.Call, d: Diagnostic) -> Edit | None:
        """``for line in open(p):`` -> ``for line in await asyncio.to_thread(lambda: open(p).readlines()):``
        the same lines, read in a worker thread (all at once: a loop that stops early reads more)."""
        loop = self.parent(call)
        if not (isinstance(loop, cst.For) and loop.iter is call and loop.asynchronous is None):
            return None
        module, name = TO_THREAD[self.backend]
        edit = Edit(call, d, imports={module})
        edit.replace(call, lambda new: cst.Await(cst.Call(_dotted(name), args=[cst.Arg(cst.Lambda(
            cst.Parameters(), cst.Call(cst.Attribute(new.with_changes(lpar=[], rpar=[]), cst.Name("readlines")))))])))
        return edit

    def _async_open(self, call: cst.Call, d: Diagnostic) -> Edit | None:
        """``with open(p) as f:`` -> ``async with aiofiles.open(p) as f:``, awaiting ``f``'s methods;
        ``for line in open(p):`` reads the lines in a worker thread."""
        if d.target in ("builtins.open", "io.open"):
            lines = self._lines_in_thread(call, d)
            if lines is not None:
                return lines
        if d.target not in ("builtins.open", "io.open", "pathlib.Path.open") or (
                self.backend == "asyncio" and "aiofiles" not in self.libraries):
            return None
        item = self.parent(call)
        statement = self.parent(item) if isinstance(item, cst.WithItem) else None
        if not (isinstance(statement, cst.With) and statement.asynchronous is None
                and len(statement.items) == 1 and item.item is call
                and item.asname is not None and isinstance(item.asname.name, cst.Name)):
            return None
        name = item.asname.name.value
        self.index(statement)
        uses = _NameUses(name)
        statement.body.visit(uses)
        awaited, loops, loads = [], [], []
        for use in uses.found:
            where = self.parent(use)
            if (isinstance(where, cst.Attribute) and where.value is use and where.attr.value in ASYNC_FILE_METHODS
                    and isinstance(self.parent(where), cst.Call) and self.parent(where).func is where
                    and self.await_legal(where)):
                awaited.append(self.parent(where))
            elif isinstance(where, cst.For) and where.iter is use and where.asynchronous is None \
                    and self.await_legal(where):
                loops.append(where)
            elif self._json_load_of(use) is not None:
                loads.append(self._json_load_of(use))
            else:
                return None  # a use that cannot be rewritten: the caller wraps the open in a thread
        if uses.rebound:
            return None
        module, opener = OPEN_FILE[self.backend]
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
                args = _prepend(cst.Arg(path), new.args)
            return new.with_changes(func=_dotted(opener), args=args, lpar=[], rpar=[])
        if self.backend == "asyncio":
            edit.replace(call, lambda new: opened(new).with_changes(lpar=new.lpar, rpar=new.rpar))
        else:
            edit.replace(call, lambda new: _await(opened(new), new))
        for method_call in awaited:
            edit.replace(method_call, lambda new: _await(new.with_changes(lpar=[], rpar=[]), new))
        for load in loads:  # json.load(f) -> json.loads(await f.read())
            edit.replace(load, lambda new: new.with_changes(
                func=new.func.with_changes(attr=cst.Name("loads")),
                args=[new.args[0].with_changes(value=cst.Await(cst.Call(
                    cst.Attribute(new.args[0].value, cst.Name("read"))))), *new.args[1:]]))
        for loop in loops:
            edit.replace(loop, lambda new: new.with_changes(asynchronous=cst.Asynchronous()))
        edit.replace(statement, lambda new: new.with_changes(asynchronous=cst.Asynchronous()))
        return edit

    def _json_load_of(self, use: cst.Name) -> cst.Call | None:
        """The ``json.load(f)`` call that ``f`` is the first argument of (``json`` imported as such)."""
        arg = self.parent(use)
        call = self.parent(arg) if isinstance(arg, cst.Arg) else None
        if not (isinstance(call, cst.Call) and call.args[0] is arg and arg.keyword is None and not arg.star
                and isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name)
                and call.func.value.value == "json" and call.func.attr.value == "load"
                and all(a.keyword is not None for a in call.args[1:]) and self.await_legal(call)):
            return None
        imported = any(isinstance(small, cst.Import) and any(
            a.asname is None and isinstance(a.name, cst.Name) and a.name.value == "json" for a in small.names)
            for line in self.module.body if isinstance(line, cst.SimpleStatementLine) for small in line.body)
        return call if imported else None

    def _http(self, call: cst.Call, d: Diagnostic) -> Edit | None:
        """``r = requests.get(url)`` -> ``async with httpx.AsyncClient(follow_redirects=True,
        timeout=None) as client: r = await client.get(url)``: requests' defaults (it follows
        redirects and has no timeout), ``verify=``/``cert=`` moved to the client, the call's own
        ``timeout=`` and ``allow_redirects=`` (as ``follow_redirects=``) kept. Only where the project
        depends on httpx, and no use of the response needs what only requests' response has."""
        module, _, verb = (d.target or "").rpartition(".")
        if "httpx" not in self.libraries or module not in ("requests", "requests.api", "httpx") \
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
        line = next((a for a in self.ancestors(call) if isinstance(a, cst.SimpleStatementLine)), None)
        if line is None or len(line.body) != 1 or not isinstance(self.parent(line), cst.IndentedBlock):
            return None
        function = next(a for a in self.ancestors(line) if isinstance(a, cst.FunctionDef))
        if self._uses_requests_only_response_api(call, line, function):
            return None
        names = _NameUses(None)
        function.visit(names)
        client = next(c for c in ("client", "http_client", *(f"http_client_{n}" for n in range(2, 100)))
                      if c not in names.all_names)
        edit = Edit(line, d, imports={"httpx"}, unused=_root_names(call.func))
        on_client = [keywords[k] for k in HTTP_CLIENT_KEYWORDS if k in keywords]
        client_args = [_keyword("follow_redirects", cst.Name("True")), *(
            [] if timeout is not None else [_keyword("timeout", cst.Name("None"))]), *(
            a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in on_client)]

        def request(new: cst.Call) -> cst.BaseExpression:
            args = [a.with_changes(keyword=cst.Name("follow_redirects"))
                    if a.keyword is not None and a.keyword.value == "allow_redirects" else a
                    for a in new.args if a.keyword is None or a.keyword.value not in HTTP_CLIENT_KEYWORDS]
            args = _commas([a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in args])
            return _await(new.with_changes(func=cst.Attribute(cst.Name(client), cst.Name(verb)), args=args,
                                           lpar=[], rpar=[]), new)
        edit.replace(call, request)

        def wrap(new: cst.SimpleStatementLine) -> cst.With:
            opened = cst.Call(_dotted("httpx.AsyncClient"), args=_commas(client_args))
            return cst.With(
                items=[cst.WithItem(opened, asname=cst.AsName(cst.Name(client)))],
                body=cst.IndentedBlock(body=[new.with_changes(leading_lines=[])]),
                asynchronous=cst.Asynchronous(), leading_lines=new.leading_lines)
        edit.replace(line, wrap)
        return edit

    def _uses_requests_only_response_api(self, call: cst.Call, line: cst.SimpleStatementLine,
                                         function: cst.FunctionDef) -> bool:
        """Whether the response (used at once, or through the name it is assigned to) is asked
        for something httpx's response lacks or spells differently (``r.ok``, ``r.iter_content()``)."""
        where = self.parent(call)
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

    def _subprocess(self, call: cst.Call, d: Diagnostic) -> Edit | None:
        """A literal argument list, with only ``cwd``/``env`` (and for ``run``: ``capture_output``,
        ``check``) -> ``asyncio.create_subprocess_exec``:

        - ``subprocess.call([...])``, or ``run``/``check_call`` as a statement without a check:
          ``await (await asyncio.create_subprocess_exec(...)).wait()``, one expression;
        - ``result = subprocess.run([...], capture_output=True, check=True)``: statements that start
          the process, ``communicate()`` with it and build the same ``subprocess.CompletedProcess``
          (``check_returncode()`` raises as ``check=True`` did).
        """
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
        if self.backend != "asyncio":
            return self._run_process(call, d, target, check, capture, [options[k] for k in options])
        where = self.parent(call)
        statement = isinstance(where, cst.Expr)
        if target == "subprocess.call" or (statement and not check and not capture):
            edit = Edit(call, d, imports={"asyncio"}, unused=_root_names(call.func))

            def build(new: cst.Call) -> cst.BaseExpression:
                spawn = _spawn(new.args[0].value.elements, [options[k] for k in options], capture=False)
                process = cst.Await(spawn, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
                return _await(cst.Call(cst.Attribute(process, cst.Name("wait"))), new)
            edit.replace(call, build)
            return edit
        # The statement form: `NAME = subprocess.run(...)` or `subprocess.run(..., check=True)`.
        line = self.parent(where)
        if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1
                and isinstance(self.parent(line), cst.IndentedBlock)):
            return None
        if isinstance(where, cst.Assign):
            if len(where.targets) != 1 or not isinstance(where.targets[0].target, cst.Name) or where.value is not call:
                return None
            result = where.targets[0].target.value
        elif not statement:
            return None
        else:
            result = None
        function = next(a for a in self.ancestors(line) if isinstance(a, cst.FunctionDef))
        taken = _NameUses(None)
        function.visit(taken)
        process, out, err = (_fresh(base, taken.all_names) for base in ("process", "stdout", "stderr"))
        edit = Edit(line, d, imports={"asyncio"})
        command = cst.List([cst.Element(e.value) for e in elements])
        command = cst.List(_commas_elements(list(command.elements)))

        def build_lines(new: cst.SimpleStatementLine):
            spawn = _spawn(elements, [options[k] for k in options], capture=capture)
            completed = cst.Call(_dotted("subprocess.CompletedProcess"), args=_commas([
                cst.Arg(command), cst.Arg(_dotted(f"{process}.returncode")), cst.Arg(cst.Name(out)),
                cst.Arg(cst.Name(err))]))
            lines = [
                cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(process))], cst.Await(spawn))],
                                        leading_lines=new.leading_lines, trailing_whitespace=new.trailing_whitespace),
                _statement(f"{out}, {err} = await {process}.communicate()"),
            ]
            if result is not None:
                lines.append(cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(result))], completed)]))
                if check:
                    lines.append(_statement(f"{result}.check_returncode()"))
            else:
                lines.append(cst.SimpleStatementLine([cst.Expr(cst.Call(cst.Attribute(completed, cst.Name("check_returncode"))))]))
            return cst.FlattenSentinel(lines)
        edit.replace(line, build_lines)
        return edit


    def _run_process(self, call: cst.Call, d: Diagnostic, target: str, check: bool, capture: bool,
                     keywords: list[cst.Arg]) -> Edit:
        """trio and anyio have ``run_process``, which returns a ``subprocess.CompletedProcess``:
        one expression for every form. trio captures nothing unless asked; anyio captures both
        streams unless told not to."""
        backend = self.backend
        edit = Edit(call, d, imports={backend}, unused=_root_names(call.func))

        def keyword(name: str, value: str) -> cst.Arg:
            return _keyword(name, _dotted(value))

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
            run = cst.Call(_dotted(f"{backend}.run_process"), args=_commas(passed + extra))
            if target == "subprocess.call":
                done = cst.Await(run, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
                return cst.Attribute(done, cst.Name("returncode"), lpar=new.lpar, rpar=new.rpar)
            return _await(run, new)
        edit.replace(call, build)
        return edit


Fixer = Callable[[Planner, cst.BaseExpression, Diagnostic], "Edit | None"]


def _on_calls(fixer: Fixer) -> Fixer:
    """A fixer that rewrites a call: any other node (a name, an attribute) is left alone."""
    return lambda planner, node, d: fixer(planner, node, d) if isinstance(node, cst.Call) else None


def _or_thread(fixer: Fixer) -> Fixer:
    """The rewrite to the async library's own call where it applies, else the call in a thread."""
    return _on_calls(lambda planner, call, d: fixer(planner, call, d) or planner._thread(call, d))


# One fixer per fix kind (tests/test_fix.py checks that none is missing).
FIXERS: dict[FixKind, Fixer] = {
    FixKind.SLEEP: _on_calls(Planner._sleep),
    FixKind.OPEN: _or_thread(Planner._async_open),
    FixKind.HTTP: _or_thread(Planner._http),
    FixKind.SUBPROCESS: _or_thread(Planner._subprocess),
    FixKind.THREAD: _on_calls(Planner._thread),
    FixKind.PATH: _or_thread(Planner._async_path),
    FixKind.AWAIT: Planner._insert_await,
    FixKind.RUNNING_LOOP: Planner._running_loop,
}


class _AttributesOf(cst.CSTVisitor):
    """The attributes asked of a name in a subtree (``r.ok`` -> ``ok``)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.attributes: set[str] = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value == self.name:
            self.attributes.add(node.attr.value)


class _NameUses(cst.CSTVisitor):
    """Every ``Name`` node spelled ``name`` (loads and stores, not attribute names) in a subtree;
    all names seen."""

    def __init__(self, name: str | None) -> None:
        self.name = name
        self.found: list[cst.Name] = []
        self.rebound = False
        self.all_names: set[str] = set()

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


class _Apply(cst.CSTTransformer):
    """Applies the builders by node identity, then parenthesizes an ``await`` where it would
    otherwise bind wrongly: as the object of an attribute, subscript or call, or under another await."""

    def __init__(self, builders: dict[int, Callable], ancestors: set[int]) -> None:
        super().__init__()
        self.builders = builders
        self.ancestors = ancestors  # only these nodes' children can hold a replacement

    def on_visit(self, node) -> bool:
        return id(node) in self.ancestors

    def on_leave(self, original, updated):
        build = self.builders.get(id(original))
        if build is not None:
            updated = build(updated)
        if isinstance(updated, (cst.Attribute, cst.Subscript)) and _bare_await(updated.value):
            updated = updated.with_changes(value=_parenthesized(updated.value))
        elif isinstance(updated, cst.Call) and _bare_await(updated.func):
            updated = updated.with_changes(func=_parenthesized(updated.func))
        elif isinstance(updated, cst.Await) and _bare_await(updated.expression):
            updated = updated.with_changes(expression=_parenthesized(updated.expression))
        return updated


def apply_pass(source: str, diagnostics: list[Diagnostic], backend: str,
               libraries: frozenset[str] = frozenset()) -> tuple[str, list[Diagnostic]]:
    """Rewrite what can be rewritten of ``diagnostics`` in one pass: (new source, findings fixed).
    ``libraries``: the third-party async libraries (aiofiles, httpx) a rewrite may use."""
    planner = Planner(cst.parse_module(source), backend, libraries)
    chosen: list[Edit] = []
    roots: set[int] = set()
    covered: set[int] = set()  # roots and their ancestors
    for diagnostic in diagnostics:
        edit = planner.plan(diagnostic)
        if edit is None:
            continue
        own = {id(root) for root in edit.roots}
        lineage = {id(a) for root in edit.roots for a in planner.ancestors(root)}
        if own & covered or lineage & roots:
            continue  # overlaps an edit already planned: the next pass will see it again
        chosen.append(edit)
        roots |= own
        covered |= lineage | own
    if not chosen:
        return source, []
    aliases = _aliases(source, set().union(*(e.imports for e in chosen)))
    token = _ALIASES.set(aliases)
    try:
        code = _apply(planner, chosen, aliases)
        if not _parses(code):  # one bad edit drops only itself: keep those that parse on their own
            chosen = [edit for edit in chosen if _parses(_apply(planner, [edit], aliases))]
            code = _apply(planner, chosen, aliases) if chosen else source
    finally:
        _ALIASES.reset(token)
    return code, [e.diagnostic for e in chosen]


# The modules a fix imports under another name, because the module's own name is taken in the
# file (``async def f(asyncio):``): ``_dotted`` spells their names through the alias.
_ALIASES: ContextVar[dict[str, str]] = ContextVar("aliases", default={})


def _aliases(source: str, modules: set[str]) -> dict[str, str]:
    """``{"asyncio": "asyncio_"}`` for each module to import whose first name the file binds to
    something else (a parameter, a variable, a function, ``import x as asyncio``)."""
    tree = ast.parse(source)
    taken: set[str] = set()
    rebound: set[str] = set()
    imported_as: dict[str, str] = {}  # `import asyncio as asyncio_` (at the top level): reused
    for node in tree.body:
        if isinstance(node, ast.Import):
            imported_as.update((alias.name, alias.asname) for alias in node.names if alias.asname)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            taken.add(node.id)
            if not isinstance(node.ctx, ast.Load):
                rebound.add(node.id)
        elif isinstance(node, ast.arg):
            rebound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            rebound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound = alias.asname or alias.name.partition(".")[0]
                if isinstance(node, ast.ImportFrom) or bound != alias.name.partition(".")[0]:
                    rebound.add(bound)
    taken |= rebound
    aliases = {}
    for module in sorted(modules):
        if module.partition(".")[0] in rebound:
            aliases[module] = imported_as.get(module) or _fresh(module.replace(".", "_") + "_", taken)
            taken.add(aliases[module])
    return aliases


def _apply(planner: Planner, edits: list[Edit], aliases: dict[str, str]) -> str:
    builders: dict[int, Callable] = {}
    ancestors: set[int] = set()
    for edit in edits:
        builders.update(edit.builders)
        for target in edit.targets:
            ancestors.update(id(a) for a in planner.ancestors(target))
    module = planner.module.visit(_Apply(builders, ancestors))
    imports = set().union(*(e.imports for e in edits))
    module = add_imports(module, {m for m in imports if m not in aliases}, {m: aliases[m] for m in imports if m in aliases})
    module = remove_unused(module, set().union(*(e.unused for e in edits)))
    return module.code


def _parses(code: str) -> bool:
    try:
        compile(code, "<fix>", "exec", dont_inherit=True, flags=ast.PyCF_ONLY_AST)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _key(where: CodeRange) -> tuple[int, int, int, int]:
    return (where.start.line, where.start.column, where.end.line, where.end.column)


# -- small builders ----------------------------------------------------------------------------

def _dotted(name: str) -> cst.BaseExpression:
    """``a.b.c`` as a libcst expression (built directly: parsing it costs far more), a module
    imported under an alias spelled through it."""
    for module, alias in _ALIASES.get().items():
        if name.startswith(module + "."):
            name = alias + name[len(module):]
            break
    first, *rest = name.split(".")
    node: cst.BaseExpression = cst.Name(first)
    for part in rest:
        node = cst.Attribute(node, cst.Name(part))
    return node


def _await(expression: cst.BaseExpression, original: cst.BaseExpression) -> cst.Await:
    """``await expression``, taking over the parentheses the original expression had."""
    return cst.Await(expression, lpar=original.lpar, rpar=original.rpar)


def _bare_await(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Await) and not node.lpar


def _parenthesized(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _prepend(first: cst.Arg, args) -> list[cst.Arg]:
    """``first`` before ``args``; a bare generator argument (``f(x for x in y)``) gets the
    parentheses it needs once it is not the only argument."""
    if not args:
        return [first]
    args = [a.with_changes(value=_parenthesized(a.value)) if isinstance(a.value, cst.GeneratorExp)
            and not a.value.lpar else a for a in args]
    return [first.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), *args]


def _keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(value, keyword=cst.Name(name),
                   equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))


def _commas(args: list[cst.Arg]) -> list[cst.Arg]:
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return [a.with_changes(comma=comma) for a in args[:-1]] + args[-1:]


def _spawn(elements, keywords: list[cst.Arg], capture: bool) -> cst.Call:
    values = [cst.Arg(e.value) for e in elements]
    values += [cst.Arg(a.value, keyword=a.keyword, equal=a.equal) for a in keywords]
    if capture:
        values += [_keyword(stream, _dotted("asyncio.subprocess.PIPE")) for stream in ("stdout", "stderr")]
    return cst.Call(_dotted("asyncio.create_subprocess_exec"), args=_commas(values))


def _commas_elements(elements: list[cst.Element]) -> list[cst.Element]:
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return [e.with_changes(comma=comma) for e in elements[:-1]] + elements[-1:]


def _statement(code: str) -> cst.SimpleStatementLine:
    return cst.parse_statement(code + "\n")


def _fresh(base: str, taken: set[str]) -> str:
    return next(name for name in (base, *(f"{base}_{n}" for n in range(2, 1000))) if name not in taken)


def _root_names(func: cst.BaseExpression) -> set[str]:
    """The name a callee is reached through (``time`` of ``time.sleep``), if it is a dotted name."""
    while isinstance(func, cst.Attribute):
        func = func.value
    return {func.value} if isinstance(func, cst.Name) else set()
