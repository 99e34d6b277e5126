"""When a call runs: the conditions on the path to it inside its function, and what they come to
for the literal arguments a caller passes.

A condition is a list of atoms, all of which must hold (an empty list: the call runs on every
path). An atom is plain JSON data, so that module summaries can be cached:
``[subject, test, value, positive, text]`` where ``subject`` is a parameter name, ``self.attr``
or None, and ``test`` is one of

- ``truthy``: ``if x:``
- ``none``: ``if x is None:``
- ``eq``: ``if x == "lit":`` (``value`` is the literal)
- ``isinstance``: ``if isinstance(x, (str, bytes)):`` (``value`` lists builtin type names)
- ``startswith``/``endswith``: ``if x.endswith((".yaml", ".yml")):`` (``value`` lists the affixes)
- ``opaque``: anything else (an ``except`` handler, a ``case``, an early ``return`` before)

``positive`` is False for the negated test (an ``else`` branch). ``text`` is how the message
shows the atom. A loop body counts as running: only branches make a call conditional.

Values a caller passes are abstract: ``["c", literal]`` (a constant), ``["t", "dict"]`` (a
display of a builtin type), ``["p", name]`` (the caller's own parameter) or None (unknown).
"""

from __future__ import annotations

import ast
from typing import NamedTuple

Atom = list
Value = list | None


class Arguments(NamedTuple):
    """What a call site passes: its positional values and {keyword: value} (abstract values)."""

    positional: list[Value]
    keywords: dict[str, Value]

    @classmethod
    def from_json(cls, data: list | None) -> "Arguments | None":
        return None if data is None else cls(list(data[0]), dict(data[1]))

# Builtin types an isinstance() guard is decided for, and the types each abstract value has.
_DECIDABLE = frozenset("str bytes int float bool dict list tuple set frozenset NoneType".split())
_DISPLAYS = {ast.Dict: "dict", ast.DictComp: "dict", ast.List: "list", ast.ListComp: "list",
             ast.Tuple: "tuple", ast.Set: "set", ast.SetComp: "set", ast.JoinedStr: "str"}
_EXITS = (ast.Return, ast.Raise)
_AFFIXES = ("startswith", "endswith")
# Nodes that hold statement lists, in which an earlier return makes later statements conditional.
_BLOCKS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.If, ast.For, ast.AsyncFor, ast.While, ast.With,
                     ast.AsyncWith, ast.Try, ast.ExceptHandler, ast.match_case}
                    | ({ast.TryStar} if hasattr(ast, "TryStar") else set()))
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


# -- the condition of a call, from the syntax around it -------------------------------------------

def path_condition(parents: list[ast.AST], memo: dict) -> list[Atom]:
    """The atoms that must hold for the innermost node of ``parents`` (a stack of ancestors from
    the function definition down) to run. ``memo`` caches early exits per statement list."""
    atoms: list[Atom] = []
    for index in range(len(parents) - 1):
        parent, child = parents[index], parents[index + 1]
        kind = type(parent)
        if kind is ast.If or kind is ast.IfExp:
            if child is not parent.test:
                body = parent.body if kind is ast.If else [parent.body]
                atoms.extend(test_atoms(parent.test, positive=any(child is s for s in body)))
        elif kind is ast.BoolOp:
            for operand in parent.values:
                if operand is child:
                    break
                atoms.extend(test_atoms(operand, positive=isinstance(parent.op, ast.And)))
        elif kind is ast.match_case:
            atoms.append(opaque(f"case {_short(parent.pattern)}"))
        elif kind is ast.ExceptHandler and child is not parent.type:
            atoms.append(opaque(f"{_short(parent.type)} is raised" if parent.type else "an exception is raised"))
        if kind in _BLOCKS:
            before = _exits_before(parent, memo).get(id(child))
            if before:
                atoms.extend(before)
    return atoms


def test_atoms(test: ast.expr, positive: bool) -> list[Atom]:
    """The atoms of ``test`` being true (``positive``) or false: ``a and b`` true is two atoms,
    ``a or b`` false is two atoms; other combinations are one opaque atom."""
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, positive = test.operand, not positive
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) == positive:
        return [atom for value in test.values for atom in test_atoms(value, positive)]
    return [_guard(test, positive)]


def _guard(test: ast.expr, positive: bool) -> Atom:
    subject = _subject(test)
    if subject is not None:
        return [subject, "truthy", None, positive, subject if positive else f"not {subject}"]
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        subject, op, right = _subject(test.left), test.ops[0], test.comparators[0]
        if subject is not None and isinstance(op, (ast.Is, ast.IsNot)) and _is_none(right):
            is_none = isinstance(op, ast.Is) == positive
            return [subject, "none", None, is_none, f"{subject} is {'' if is_none else 'not '}None"]
        if subject is not None and isinstance(op, (ast.Eq, ast.NotEq)) and _literal(right):
            equal = isinstance(op, ast.Eq) == positive
            return [subject, "eq", right.value, equal, f"{subject} {'==' if equal else '!='} {right.value!r}"]
    if (isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance"
            and len(test.args) == 2 and not test.keywords):
        subject, kinds = _subject(test.args[0]), test.args[1]
        names = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds]
        if subject is not None and all(isinstance(n, ast.Name) for n in names):
            text = ast.unparse(test)
            return [subject, "isinstance", [n.id for n in names], positive, text if positive else f"not {text}"]
    if (isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.func.attr in _AFFIXES
            and len(test.args) == 1 and not test.keywords):
        subject, affix = _subject(test.func.value), test.args[0]
        affixes = affix.elts if isinstance(affix, ast.Tuple) else [affix]
        if subject is not None and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in affixes):
            text = ast.unparse(test)
            return [subject, test.func.attr, [a.value for a in affixes], positive, text if positive else f"not {text}"]
    text = _short(test)
    return opaque(text if positive else f"not ({text})" if " " in text else f"not {text}")


def _exits_before(parent: ast.AST, memo: dict) -> dict[int, list[Atom]]:
    """For each statement of ``parent``'s blocks, the atoms of the ``if ...: return`` statements
    before it in its block (memoized per parent)."""
    table = memo.get(id(parent))
    if table is None:
        table = memo[id(parent)] = {}
        for name in ("body", "orelse", "finalbody"):
            before: list[Atom] = []
            for statement in getattr(parent, name, ()):
                table[id(statement)] = before
                atoms = _exit_atoms(statement)
                if atoms:
                    before = before + atoms
    return table


def _exit_atoms(statement: ast.stmt) -> list[Atom]:
    """What must hold for the code after ``statement`` to run, when it may return or raise."""
    if isinstance(statement, ast.If):
        body_exits, else_exits = _ends(statement.body), _ends(statement.orelse)
        if body_exits and not else_exits and not _may_exit(statement.orelse):
            return test_atoms(statement.test, positive=False)
        if else_exits and not body_exits and not _may_exit(statement.body):
            return test_atoms(statement.test, positive=True)
    if isinstance(statement, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try,
                              ast.Match)) and _may_exit([statement]):
        return [opaque("no earlier return")]
    return []


def _ends(statements: list[ast.stmt]) -> bool:
    return bool(statements) and isinstance(statements[-1], _EXITS)


def _may_exit(statements: list[ast.stmt]) -> bool:
    """Whether a return or raise occurs among these statements (not in nested scopes or handlers)."""
    stack = list(statements)
    while stack:
        node = stack.pop()
        if isinstance(node, _EXITS):
            return True
        if isinstance(node, _SCOPES):
            continue
        for name in ("body", "orelse", "finalbody", "cases"):
            stack.extend(getattr(node, name, ()))
    return False


def _subject(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
        return f"self.{expr.attr}"
    return None


def _is_none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _literal(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and isinstance(expr.value, (str, int, float, bool, type(None)))


def opaque(text: str) -> Atom:
    return [None, "opaque", None, True, text]


def _short(node: ast.AST, limit: int = 60) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe(atoms: list[Atom]) -> str:
    return " and ".join(atom[4] for atom in atoms)


# -- what a caller passes ------------------------------------------------------------------------

def abstract_value(expr: ast.expr, name_kind=lambda name: "n") -> Value:
    """What a call site passes, as far as the syntax alone tells. ``name_kind(name)`` says what a
    bare name is there: "p" (a parameter of the caller), "n" (a module-level name) or None."""
    if _literal(expr):
        return ["c", expr.value]
    kind = _DISPLAYS.get(type(expr))
    if kind is not None:
        return ["t", kind]
    if isinstance(expr, ast.Name):
        kind = name_kind(expr.id)
        return [kind, expr.id] if kind else None
    return None


def call_arguments(call: ast.Call, name_kind) -> Arguments | None:
    """The values a call site passes, or None when ``*``/``**`` hide them."""
    if not call.args and not call.keywords:
        return Arguments([], {})
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    return Arguments([abstract_value(a, name_kind) for a in call.args],
                     {k.arg: abstract_value(k.value, name_kind) for k in call.keywords})


def signature(args: ast.arguments, skip_first: bool) -> list:
    """[[name, default, keyword_only]] of a function's parameters (``self``/``cls`` left out)."""
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    params = [[a.arg, _default(d), False] for a, d in zip(positional, defaults)]
    if skip_first:
        params = params[1:]
    params += [[a.arg, _default(d), True] for a, d in zip(args.kwonlyargs, args.kw_defaults)]
    return params


def _default(expr: ast.expr | None) -> Value:
    return None if expr is None else abstract_value(expr)


def bind(params: list, arguments: Arguments | None, caller: tuple[dict, dict], callee_constants: dict) -> dict:
    """The known values of a callee's parameters for one call site. ``caller`` is the caller's
    known values and its module's constants; defaults are read with the callee's constants."""
    if arguments is None:
        return {}
    positional, keywords = arguments
    known: dict = {}
    plain = [p for p in params if not p[2]]
    for param, value in zip(plain, positional):
        known[param[0]] = _concrete(value, *caller)
    for name, default, _ in params:
        if name in keywords:
            known[name] = _concrete(keywords[name], *caller)
        elif name not in known:
            known[name] = _concrete(default, {}, callee_constants)
    return {name: value for name, value in known.items() if value is not None}


def _concrete(value: Value, caller: dict, constants: dict) -> Value:
    if value is None:
        return None
    if value[0] == "p":
        return caller.get(value[1])
    if value[0] == "n":
        return constants.get(value[1])
    return value


# -- deciding a condition ------------------------------------------------------------------------

def evaluate(atoms: list[Atom], env: dict) -> list[Atom] | None:
    """The atoms still undecided for these known values, or None when one is false."""
    if not atoms:
        return atoms
    left = []
    for atom in atoms:
        verdict = _decide(atom, env.get(atom[0])) if atom[0] is not None else None
        if verdict is False:
            return None
        if verdict is None:
            left.append(atom)
    return left


def _decide(atom: Atom, value: Value) -> bool | None:
    if value is None:
        return None
    _, test, expected, positive, _ = atom
    constant = value[0] == "c"
    literal = value[1] if constant else None
    kind = type(literal).__name__ if constant else value[1]
    if test == "truthy":
        return bool(literal) == positive if constant else None
    if test == "none":
        return (constant and literal is None) == positive
    if test == "eq":
        if not constant or type(literal) is not type(expected):
            return None
        return (literal == expected) == positive
    if test in _AFFIXES:
        if not isinstance(literal, str):
            return None
        return getattr(literal, test)(tuple(expected)) == positive
    if test == "isinstance":
        if not set(expected) <= _DECIDABLE:
            return None
        kinds = {kind, "int"} if kind == "bool" else {kind}
        return bool(kinds & set(expected)) == positive
    return None
