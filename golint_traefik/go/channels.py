"""Per-function channel facts: local channels made with ``make(chan T, n)`` and what each use does.

The GO1xx rules ask the same questions about a channel a function makes:
what is its capacity, who sends on it and who receives from it -- the
function itself, a goroutine it starts with ``go func() {...}()``, a deferred
or stored closure -- does anybody close it, and does it escape to code we
cannot see (passed to a call, returned, stored, aliased)?  This module answers
them once per channel (memoised on the file) from :mod:`.scope`'s uses.

* :func:`local_channels` -- every :class:`LocalChan` of a file, in source order,
  with its :class:`ChanOp` uses (send, recv, range, close, len, write,
  compare, escape) and who runs each; :func:`makes_channels` -- the cheap text
  test before it.
* :func:`runner` / :func:`launch` -- who runs a node of a function: the function
  itself, a goroutine it starts, a deferred call, or a closure run at an
  unknown time.
* :func:`capacity`, :func:`int_value` -- constant ``make`` capacities.
* :func:`select_of`, :func:`loops_inside`, :func:`loops_upto`,
  :func:`unconditional` -- where a channel operation sits.
* :func:`passed_to` -- a channel handed to a function of the package: the
  callee's parameter and its uses.
* :func:`field_ops` -- every use of a struct field across the package
  (selectors, keyed and unkeyed composite literals).
* :func:`go_calls`, :func:`go_literal`, :func:`sends_per_run` -- the go
  statements of a file and how many sends one run of a goroutine makes.
* :func:`fails`, :func:`calls_fatal` -- statements that end the test or the
  program (t.Fatal, panic, os.Exit...).
* :func:`spelt` -- the nodes spelt like a name, found from the text.
* :func:`builtin` -- whether a call of ``make``, ``close``, ``len``... goes to
  the builtin.
* :func:`node_at` -- the node at a byte range found by a cheap regex, so
  rules can skip whole-tree queries.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Iterator, NamedTuple

from golint_traefik.go import scope
from golint_traefik.go.source import PATTERNS, GoFile, GoPackage, Node, word_rx, words

MAKE_CHAN = PATTERNS["make_chan"]
_DECLARING = ("short_var_declaration", "var_spec", "assignment_statement")
_ASSIGN_STMTS = frozenset({"assignment_statement", "short_var_declaration", "var_spec", "receive_statement",
                           "range_clause"})
# Builtins that read a channel without taking it anywhere.
_BUILTIN_OPS = {"close": "close", "len": "len", "cap": "len"}


class ChanOp(NamedTuple):
    """One use of a channel variable.

    ``kind``: ``send`` (``ch <- v``), ``recv`` (``<-ch``), ``range`` (``for range ch``),
    ``close``, ``len`` (``len``/``cap``), ``write`` (assigned again), ``compare``
    (``ch == nil``) or ``escape`` (passed, returned, stored, aliased, converted).
    ``expr`` is the send statement, the receive expression, the ``for`` statement
    of a range, the builtin call, or the identifier itself.
    ``runner``/``go``: see :func:`runner`.  ``select`` is the select statement when
    the operation is the communication of one of its cases.
    """

    node: Node
    kind: str
    expr: Node
    runner: str
    go: Node | None = None
    select: Node | None = None

    @property
    def in_select(self) -> bool:
        return self.select is not None


@dataclass
class LocalChan:
    """A local variable initialised with ``make(chan T[, n])``."""

    binding: scope.Binding
    make: Node
    type: Node  # the channel_type argument
    capacity: int | None  # None: not a constant we can read
    reassigned: bool  # assigned again somewhere (then it may hold another channel)
    ops: list[ChanOp] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.binding.name

    @property
    def func(self) -> Node:
        return self.binding.func

    def of(self, *kinds: str) -> list[ChanOp]:
        return [op for op in self.ops if op.kind in kinds]

    @property
    def sends(self) -> list[ChanOp]:
        return self.of("send")

    @property
    def receives(self) -> list[ChanOp]:
        """Receives and ranges."""
        return self.of("recv", "range")

    @property
    def escapes(self) -> list[ChanOp]:
        return self.of("escape")

    @property
    def closed(self) -> bool:
        return any(op.kind == "close" for op in self.ops)

    @property
    def statement(self) -> Node | None:
        """The statement that makes the channel."""
        return scope.statement_of(self.make)


# ------------------------------------------------------------------ helpers


def launch(literal: Node) -> str:
    """How a function literal runs: ``go`` (started as a goroutine), ``defer``, ``call`` (called on the
    spot, in the same goroutine) or ``later`` (stored or passed on: it runs who knows when)."""
    n = scope.outer_paren(literal)
    call = n.parent
    if call is None or call.type != "call_expression" or call.child_by_field_name("function") != n:
        return "later"
    stmt = call.parent
    if stmt is not None and stmt.type == "go_statement":
        return "go"
    if stmt is not None and stmt.type == "defer_statement":
        return "defer"
    return "call"


def runner(node: Node, func: Node | None, outermost: Node | None = None) -> tuple[str, Node | None]:
    """Who runs ``node`` of function ``func``: (``self``|``go``|``defer``|``later``, go statement).

    ``self``: ``func`` itself (directly or in a literal called on the spot);
    ``go``: a goroutine started inside ``func`` (the go statement is the innermost one);
    ``defer``: a deferred literal; ``later``: a literal stored or passed on.
    ``outermost``, when known, is the outermost function literal around ``node`` inside ``func`` (a
    use's ``closure``): the walk up the tree ends there.
    """
    kinds: list[str] = []
    go = None
    n = node.parent
    while n is not None and n != func:
        if n.type == "func_literal":
            how = launch(n)
            kinds.append(how)
            if how == "go" and go is None:
                go = scope.outer_paren(n).parent.parent
            if n == outermost:
                break
        n = n.parent
    if "later" in kinds:
        return "later", None
    if go is not None:
        return "go", go
    if "defer" in kinds:
        return "defer", None
    return "self", None


def capacity(file: GoFile, make: Node) -> int | None:
    """The capacity of ``make(chan T[, n])``: 0 without ``n``, the value of an integer literal or
    of a constant declared with one, else None."""
    args = make.child_by_field_name("arguments")
    vals = [c for c in args.named_children if c.type != "comment"] if args is not None else []
    if len(vals) < 2:
        return 0
    return int_value(file, vals[1])


def int_value(file: GoFile, expr: Node) -> int | None:
    expr = scope.unparen(expr)
    if expr.type == "int_literal":
        try:
            return int(file.text(expr).replace("_", ""), 0)
        except ValueError:
            return None
    if expr.type == "identifier":
        b = scope.resolve(file, expr)
        if b is not None and b.kind in ("const", "package") and b.value is not None \
                and b.value.type == "int_literal" and (b.kind == "const" or b.decl.type == "const_spec"):
            return int_value(file, b.value)
    return None


def select_of(expr: Node) -> Node | None:
    """The select statement whose case communicates with ``expr`` (a send statement or a receive)."""
    n = expr
    if n.parent is not None and n.parent.type == "receive_statement":
        n = n.parent
    case = n.parent
    if case is not None and case.type == "communication_case" and case.child_by_field_name("communication") == n:
        return case.parent
    return None


def loops_inside(node: Node, outer: Node | None, func: Node | None) -> list[Node]:
    """``for`` loops around ``node`` (innermost first) that do not contain ``outer``, inside ``func``."""
    return [loop for loop in scope.loops_between(node, func) if outer is None or not scope.within(outer, loop)]


def loops_upto(node: Node, outer: Node | None, stop: Node | None) -> list[Node]:
    """``for`` loops around ``node`` up to ``stop``, crossing function literals, that do not contain ``outer``."""
    out = []
    n = node.parent
    while n is not None and n != stop:
        if n.type == "for_statement" and (outer is None or not scope.within(outer, n)):
            out.append(n)
        n = n.parent
    return out


def go_literal(go: Node) -> Node | None:
    """The function literal a ``go func() {...}()`` statement starts (None for ``go f(x)``)."""
    call = next((c for c in go.named_children if c.type == "call_expression"), None)
    if call is None:
        return None
    fn = scope.unparen(call.child_by_field_name("function"))
    return fn if fn.type == "func_literal" else None


# ------------------------------------------------------------------ channels


def _target(file: GoFile, make: Node) -> tuple[Node, Node] | None:
    """(target identifier, declaring statement) for ``x := make(...)`` / ``var x = ...`` / ``x = ...``."""
    n = scope.outer_paren(make)
    right = n.parent
    if right is None or right.type != "expression_list":
        return None
    stmt = right.parent
    if stmt is None or stmt.type not in _DECLARING:
        return None
    if stmt.type == "var_spec":
        if stmt.child_by_field_name("value") != right:
            return None
        targets = stmt.children_by_field_name("name")
    else:
        if stmt.child_by_field_name("right") != right:
            return None
        if stmt.type == "assignment_statement" and not any(not c.is_named and c.type == "=" for c in stmt.children):
            return None
        targets = list(stmt.child_by_field_name("left").named_children)
    vals = list(right.named_children)
    if len(vals) != len(targets):
        return None
    t = scope.unparen(targets[vals.index(n)])
    return (t, stmt) if t.type == "identifier" else None


def local_channels(file: GoFile) -> list[LocalChan]:
    """Every local channel variable initialised with ``make(chan ...)`` in ``file``."""
    return file.memo_get("channels.local", lambda: _local_channels(file))


def makes_channels(file: GoFile) -> bool:
    """Whether the text of ``file`` has a ``make(chan ...)``: a cheap test before any tree work."""
    return file.finds("make_chan")


def _local_channels(file: GoFile) -> list[LocalChan]:
    if not makes_channels(file):
        return []
    out = []
    seen: set[int] = set()
    for m in MAKE_CHAN.finditer(file.src):
        fn = node_at(file, m.start(), m.start() + 4)
        make = fn.parent if fn is not None and fn.type == "identifier" else None
        if make is None or make.type != "call_expression" or make.child_by_field_name("function") != fn:
            continue
        args = make.child_by_field_name("arguments")
        typ = next((a for a in args.named_children if a.type != "comment"), None) if args is not None else None
        if typ is None or typ.type != "channel_type":
            continue
        if not builtin(file, fn):  # a local `make`
            continue
        found = _target(file, make)
        if found is None:
            continue
        ident, stmt = found
        b = scope.resolve(file, ident)
        if not scope.is_local(b) or b.kind != "var" or b.ident.id in seen:
            continue
        if stmt.type == "assignment_statement" and (b.value is not None or b.type is None):
            continue  # `x = make(...)` of a variable declared with a value: several channels
        seen.add(b.ident.id)
        ch = LocalChan(b, make, typ, capacity(file, make), False)
        for use in scope.uses(file, b):
            op = _op(file, use, b.func)
            if op.kind == "write":
                if scope.within(use.node, stmt) and stmt.type == "assignment_statement":
                    continue  # the assignment of this very make
                ch.reassigned = True
            ch.ops.append(op)
        out.append(ch)
    out.sort(key=lambda c: c.make.start_byte)
    return out


def builtin(file: GoFile, fn: Node) -> bool:
    """Whether the identifier ``fn`` (``make``, ``close``...) names the builtin: nothing in the file
    declares it (see :func:`scope.resolve`).  A name that the file spells only as the function of calls
    is declared nowhere in it -- a declaring identifier is never called on the spot -- so most files
    need no walk up to the package level."""
    name = file.text(fn)
    key = ("channels.only_called", name)
    only = file.memo.get(key)
    if only is None:
        only = file.memo[key] = _only_called(file, name)
    return only or scope.resolve(file, fn) is None


def _only_called(file: GoFile, name: str) -> bool:
    """Every identifier spelt ``name`` in the file is the function of a call expression."""
    for n in file.spelt(name.encode(), "identifier"):
        call = n.parent
        if call is None or call.type != "call_expression" or call.child_by_field_name("function") != n:
            return False
    return True


def _op(file: GoFile, use: scope.Use, func: Node | None) -> ChanOp:
    """The :class:`ChanOp` of ``use``, a use of a binding declared by ``func`` (its ``closure`` is
    relative to ``func``: without one, no function literal lies between and ``func`` runs it)."""
    ident = use.node
    how, go = runner(ident, func, use.closure) if use.closure is not None else ("self", None)
    kind, expr = classify(file, ident)
    if kind == "escape" and use.kind in ("write", "range"):  # classify() saw them; keep scope's word
        kind = use.kind
    sel = select_of(expr) if kind in ("send", "recv") else None
    return ChanOp(ident, kind, expr, how, go, sel)


def classify(file: GoFile, node: Node) -> tuple[str, Node]:
    """What the channel expression ``node`` (an identifier or ``x.f``) is used for, and the node
    doing it: see :class:`ChanOp` for the kinds."""
    n = scope.outer_paren(node)
    par = n.parent
    if par is None:
        return "escape", node
    t = par.type
    if t == "send_statement" and par.child_by_field_name("channel") == n:
        return "send", par
    if t == "unary_expression":
        op = par.child_by_field_name("operator")
        if op is not None and op.type == "<-":
            return "recv", par
    if t == "range_clause" and par.child_by_field_name("right") == n:
        return "range", par.parent
    if t == "expression_list" and par.parent is not None and par.parent.type in _ASSIGN_STMTS:
        stmt = par.parent
        if (stmt.child_by_field_name("left") or stmt.child_by_field_name("name")) == par:
            return "write", node
    if t == "argument_list":
        call = par.parent
        fn = call.child_by_field_name("function")
        if fn is not None and fn.type == "identifier" and par.named_child_count == 1 \
                and file.text(fn) in _BUILTIN_OPS and builtin(file, fn):
            return _BUILTIN_OPS[file.text(fn)], call
    if t == "binary_expression":
        return "compare", par
    return "escape", node


_GO_KEYWORD = re.compile(rb"go[ \t]+[\w(]")
# What a statement can follow on its line, blanks aside: a line break, `{`, `;`, the `:` of a label or a
# case, the end of a /* comment */.
_STATEMENT_START = frozenset(b"\n\r{;:/")


_GO_WORD = re.compile(rb"go\b")  # with source.words: at a word boundary


def go_statements(file: GoFile) -> list[Node]:
    """Every ``go`` statement of the file, in source order (from the ``go`` keywords of the text)."""
    def build():
        out = []
        if b"go" not in file.src:
            return out
        root = file.root
        for m in words(_GO_WORD, file.src):
            kw = root.descendant_for_byte_range(m.start(), m.end())
            if kw is not None and kw.type == "go" and kw.parent is not None and kw.parent.type == "go_statement":
                out.append(kw.parent)
        return out
    return file.memo_get("channels.go_statements", build)


def go_statements_in(file: GoFile, node: Node) -> list[Node]:
    """The ``go`` statements inside ``node``."""
    gos = go_statements(file)
    starts = file.memo_get("channels.go_starts", lambda: [g.start_byte for g in gos])
    lo = bisect.bisect_left(starts, node.start_byte)
    return gos[lo:bisect.bisect_left(starts, node.end_byte, lo)]


def go_calls(file: GoFile) -> list[tuple[Node, Node, Node]]:
    """(go statement, its call, the called function expression) for every ``go f(...)`` of the file,
    in source order; memoised, with a byte test first."""
    def build():
        out = []
        src = file.src
        for m in _GO_KEYWORD.finditer(src):
            before = m.start() - 1
            while before >= 0 and src[before] in b" \t":
                before -= 1
            if before >= 0 and src[before] not in _STATEMENT_START:
                continue  # the end of a longer word (cargo...) or a word in the middle of a line ("to go ...")
            n = node_at(file, m.start(), m.start() + 2)
            if n is None or n.type != "go" or n.parent is None or n.parent.type != "go_statement":
                continue
            go = n.parent
            call = next((x for x in go.named_children if x.type == "call_expression"), None)
            if call is not None and call.child_by_field_name("function") is not None:
                out.append((go, call, scope.unparen(call.child_by_field_name("function"))))
        return out
    return file.memo_get("channels.go_calls", build)


def node_at(file: GoFile, start: int, end: int) -> Node | None:
    """The smallest node (named or not) covering exactly the bytes start..end, if there is one."""
    n = file.root.descendant_for_byte_range(start, end)
    while n is not None and (n.start_byte > start or n.end_byte < end):
        n = n.parent
    return n if n is not None and n.start_byte == start and n.end_byte == end else None


def own_go_statements(file: GoFile, func: Node) -> list[Node]:
    """The go statements of ``func`` (not of function literals inside it)."""
    return [n for n in scope.walk(scope.body(func) or func) if n.type == "go_statement"]


def unconditional(loop: Node) -> bool:
    """``for {}`` or ``for init; ; post {}``: a loop header that never ends the loop."""
    for c in loop.named_children:
        if c.type == "range_clause":
            return False
        if c.type == "for_clause":
            return c.child_by_field_name("condition") is None
        if c.type not in ("block", "comment"):
            return False  # for cond {}
    return True


# ------------------------------------------------------------ calls

class Passed(NamedTuple):
    """A channel handed to a function of the package as an argument: the callee's parameter and its uses."""

    call: Node  # the call expression in the caller
    file: GoFile  # the callee's file
    func: Node  # the callee
    param: scope.Binding
    ops: list[ChanOp]  # uses of the parameter inside the callee (runners relative to the callee)
    started: bool  # the call is the call of a go statement: the callee runs as a goroutine


def passed_to(package: GoPackage | None, file: GoFile, op: ChanOp) -> Passed | None:
    """For an ``escape`` op that is an argument of a call to a package function or method (see
    :func:`decls.callee`): the callee's parameter and what the callee does with it.  None when the
    callee is unknown, the parameter is variadic or not a channel."""
    from golint_traefik.go import decls

    arg = scope.outer_paren(op.node)
    args = arg.parent
    if args is None or args.type != "argument_list":
        return None
    call = args.parent
    target = decls.callee(package, file, call.child_by_field_name("function"))
    if target is None:
        return None
    g, func = target
    index = [c for c in args.named_children if c.type != "comment"].index(arg)
    param = _param(g, func, index)
    if param is None:
        return None
    key = ("channels.param_ops", param.ident.id)
    ops = g.memo.get(key)
    if ops is None:
        ops = g.memo[key] = [_op(g, u, func) for u in scope.uses(g, param)]
    return Passed(call, g, func, param, ops, call.parent is not None and call.parent.type == "go_statement")


def _param(g: GoFile, func: Node, index: int) -> scope.Binding | None:
    plist = func.child_by_field_name("parameters")
    i = 0
    for decl in plist.named_children if plist is not None else []:
        if decl.type == "variadic_parameter_declaration":
            return None
        if decl.type != "parameter_declaration":
            continue
        names = decl.children_by_field_name("name")
        for name in names or [None]:
            if i == index:
                typ = decl.child_by_field_name("type")
                if name is None or typ is None or typ.type != "channel_type":
                    return None
                return scope.resolve(g, name)
            i += 1
    return None


# ------------------------------------------------------------ goroutines

MANY = 1 << 20  # "as many as loop iterations": unknown, and more than any buffer worth comparing with

_FATAL = frozenset({"Fatal", "Fatalf", "Fatalln", "FailNow", "Exit", "Panic", "Panicf", "Panicln", "Skip", "Skipf",
                    "SkipNow", "Goexit"})
_TEST_FAIL = frozenset({"Error", "Errorf", "Fail"})


def fails(f, node) -> bool:
    """``node`` (a statement, a case or a statement list) surely ends the test or the program: one of its
    own statements calls t.Fatal, panic, os.Exit, log.Fatal... (t.Error too, in a test file)."""
    if node.type in ("communication_case", "default_case", "expression_case", "type_case"):
        node = next((c for c in node.named_children if c.type == "statement_list"), None)
        if node is None:
            return False
    stmts = node.named_children if node.type == "statement_list" else [node]
    for st in stmts:
        if st.type != "expression_statement" or st.named_child_count != 1:
            continue
        call = scope.unparen(st.named_children[0])
        if call.type != "call_expression":
            continue
        fn = scope.unparen(call.child_by_field_name("function"))
        if fn.type == "identifier" and f.text(fn) == "panic":
            return True
        if fn.type != "selector_expression":
            continue
        name = f.text(fn.child_by_field_name("field"))
        if name in _FATAL or f.is_test and name in _TEST_FAIL:
            return True
        if f.is_test and f.text(fn.child_by_field_name("operand")) in ("require", "assert") and name.startswith("Fail"):
            return True
    return False


def calls_fatal(f, node) -> bool:
    """Whether ``node`` contains (outside function literals) a call of ``panic`` or of a method named like
    t.Fatal / log.Fatal / os.Exit / runtime.Goexit: a way out of any loop around it."""
    for n in scope.walk(node):
        if n.type != "call_expression":
            continue
        fn = scope.unparen(n.child_by_field_name("function"))
        if fn.type == "identifier" and f.text(fn) == "panic":
            return True
        if fn.type == "selector_expression" and f.text(fn.child_by_field_name("field")) in _FATAL:
            return True
    return False


def sends_per_run(file: GoFile, literal: Node, sends: list[ChanOp]) -> tuple[int, int]:
    """How many of ``sends`` (plain send statements inside ``literal``) one run of the function literal
    executes: (fewest, most), MANY standing for "once per loop iteration"."""
    return _SendCount(file, {op.expr.id: op.expr for op in sends}).of_literal(literal)


class _SendCount:
    """How many of the given send statements one run of a goroutine executes: (fewest, most).

    A small walk over the statements: ``if``/``switch``/``select`` take the fewest and most of
    their branches, a loop whose body can send and go round again sends MANY times, ``return``
    (and ``t.Fatal``, ``panic``...) ends the count, a deferred literal's sends come on top.
    Outcomes of a statement list are kept apart: falling through, ``return``, ``break``, ``continue``.
    """

    def __init__(self, f, sends: dict[int, Node]):
        self.f, self.sends = f, sends  # node id -> send statement

    def of_literal(self, lit) -> tuple[int, int]:
        body = scope.body(lit)
        out = self.seq(scope.block_statements(body))
        ends = [v for k, v in out.items() if k in ("fall", "ret")]
        if not ends:
            return MANY, MANY  # never ends: an endless sending loop
        lo, hi = min(v[0] for v in ends), max(v[1] for v in ends)
        extra = sum(1 for n in self.sends.values() if _inside(n, body, across_funcs=True) and self._deferred(n, lit))
        return min(MANY, lo + extra), min(MANY, hi + extra)

    @staticmethod
    def _deferred(n, lit) -> bool:
        p = n.parent
        while p is not None and p != lit:
            if p.type == "defer_statement":
                return True
            p = p.parent
        return False

    def has_send(self, node) -> int:
        """How many of the sends lie inside ``node`` (not in a function literal)."""
        return sum(1 for n in self.sends.values() if _inside(n, node, across_funcs=False))

    def seq(self, stmts) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        cur: tuple[int, int] | None = (0, 0)
        for st in stmts:
            if cur is None:
                break
            res = self.stmt(st)
            nxt = None
            for k, (lo, hi) in res.items():
                v = (min(MANY, cur[0] + lo), min(MANY, cur[1] + hi))
                if k == "fall":
                    nxt = v
                else:
                    _merge(out, k, v)
            cur = nxt
        if cur is not None:
            _merge(out, "fall", cur)
        return out

    def block(self, node) -> dict[str, tuple[int, int]]:
        if node is None:
            return {"fall": (0, 0)}
        if node.type == "block":
            return self.seq(scope.block_statements(node))
        return self.stmt(node)  # an else-if

    def stmt(self, st) -> dict[str, tuple[int, int]]:
        t = st.type
        if t == "send_statement" and st.id in self.sends:
            return {"fall": (1, 1)}
        if t in ("return_statement", "goto_statement"):
            return {"ret": (0, 0)}
        if t == "break_statement":
            return {"ret": (0, 0)} if any(c.type == "label_name" for c in st.named_children) else {"brk": (0, 0)}
        if t == "continue_statement":
            return {"ret": (0, 0)} if any(c.type == "label_name" for c in st.named_children) else {"cont": (0, 0)}
        if t == "expression_statement" and fails(self.f, st):
            return {"ret": (0, 0)}
        if t == "block":
            return self.block(st)
        if t == "labeled_statement":
            inner = [c for c in st.named_children if c.type != "label_name"]
            return self.stmt(inner[0]) if inner else {"fall": (0, 0)}
        if t == "if_statement":
            out: dict = {}
            for k, v in self.block(st.child_by_field_name("consequence")).items():
                _merge(out, k, v)
            for k, v in self.block(st.child_by_field_name("alternative")).items():
                _merge(out, k, v)
            return out
        if t in ("expression_switch_statement", "type_switch_statement", "select_statement"):
            out = {}
            cases = [c for c in st.named_children if c.type in ("expression_case", "type_case", "default_case",
                                                                "communication_case")]
            for c in cases:
                lst = next((x for x in c.named_children if x.type == "statement_list"), None)
                stmts = [x for x in lst.named_children if x.type != "comment"] if lst is not None else []
                for k, v in self.seq(stmts).items():
                    _merge(out, "fall" if k == "brk" else k, v)
            if t != "select_statement" and not any(c.type == "default_case" for c in cases) or not cases:
                _merge(out, "fall", (0, 0))
            return out
        if t == "for_statement":
            body = self.block(st.child_by_field_name("body"))
            again = [body[k] for k in ("fall", "cont") if k in body]
            endless = unconditional(st)
            out = {}
            if any(v[1] > 0 for v in again):
                lo = MANY if endless and all(v[0] > 0 for v in again) else 0
                _merge(out, "fall", (lo, MANY))
                if "ret" in body:
                    _merge(out, "ret", (0, MANY))
                return out
            if "ret" in body:
                _merge(out, "ret", body["ret"])
            if "brk" in body:
                _merge(out, "fall", body["brk"])
            if not endless:
                _merge(out, "fall", (0, 0))
            if not out:
                return {}  # endless and never left: nothing after it runs
            return out
        n = self.has_send(st)
        return {"fall": (0, n)} if n else {"fall": (0, 0)}


def _inside(n: Node, node: Node, across_funcs: bool) -> bool:
    """Whether ``n`` is a descendant of ``node`` (and, unless ``across_funcs``, not inside a function
    literal within it): what :func:`scope.walk` of ``node`` would come to, without the walk."""
    if not (node.start_byte <= n.start_byte and n.end_byte <= node.end_byte):
        return False
    p = n.parent
    while p is not None and p != node:
        if not across_funcs and p.type == "func_literal":
            return False
        p = p.parent
    return p is not None


def _merge(out, k, v) -> None:
    old = out.get(k)
    out[k] = v if old is None else (min(old[0], v[0]), max(old[1], v[1]))


# ------------------------------------------------------------ struct fields

class FieldOp(NamedTuple):
    """One use of a struct field ``x.name`` (or ``name:`` in a composite literal) somewhere in the package.

    ``kind`` as for :class:`ChanOp`, plus ``init`` for a keyed element of a literal; ``value`` is the
    value assigned by a ``write`` or ``init`` (None when it cannot be paired)."""

    file: GoFile
    node: Node
    kind: str
    expr: Node
    value: Node | None = None


def spelt(file: GoFile, name: str, start: int = 0, end: int | None = None) -> Iterator[Node]:
    """The nodes (identifiers, field and type names) spelt ``name`` in ``file`` (between the bytes
    ``start`` and ``end``), in source order: the word's occurrences in the text, each checked on the
    tree -- a file mentions a name a few times, while a query would visit every node of the tree."""
    for m in words(word_rx(name.encode()), file.src, start, end):
        n = node_at(file, m.start(), m.end())
        if n is not None:  # None: inside a comment, a string or a longer word
            yield n


def _selectors(file: GoFile, name: str) -> tuple[list[Node], list[Node]]:
    """The selectors ``x.name`` and the keyed elements ``name: v`` of composite literals in ``file``,
    each in source order (an outer selector before the one it starts with)."""
    sels, keyed = [], []
    for n in spelt(file, name):
        par = n.parent
        if n.type == "field_identifier" and par.type == "selector_expression" and par.child_by_field_name("field") == n:
            sels.append(par)
        elif n.type == "identifier" and par.type == "literal_element":
            kv = par.parent
            value = kv.child_by_field_name("value") if kv.type == "keyed_element" else None
            if value is not None and value.type == "literal_element" and kv.child_by_field_name("key") == par:
                keyed.append(kv)
    sels.sort(key=lambda n: (n.start_byte, -n.end_byte))
    return sels, keyed


def _literals(file: GoFile, tname: str) -> list[Node]:
    """The bodies of the composite literals ``tname{...}`` of ``file``, in source order."""
    out = []
    for n in spelt(file, tname):
        lit = n.parent
        if n.type == "type_identifier" and lit.type == "composite_literal" and lit.child_by_field_name("type") == n:
            body = lit.child_by_field_name("body")
            if body is not None and body.type == "literal_value":
                out.append(body)
    return out


def field_ops(package: GoPackage | None, file: GoFile, name: str) -> list[FieldOp]:
    """Every use of the field ``name`` across the files of ``file``'s package: selectors ``x.name``,
    keys ``name: v`` of composite literals, and the matching element of unkeyed literals ``T{a, b}``
    of the struct types declaring it.  Memoised on the package."""
    files = package.same_package(file) if package is not None else []
    if file not in files:
        files = [file, *files]

    def build() -> list[FieldOp]:
        out = []
        needle = name.encode()
        for g in files:
            if needle not in g.src:
                continue
            sels, keyed = _selectors(g, name)
            for sel in sels:
                kind, expr = classify(g, sel)
                out.append(FieldOp(g, sel, kind, expr, assigned_value(sel) if kind == "write" else None))
            for kv in keyed:
                value = kv.child_by_field_name("value")
                out.append(FieldOp(g, kv, "init", kv, value.named_children[0] if value.named_child_count else None))
        positions = _positions(package, file, name)
        for g in files:
            if not positions or not any(t.encode() in g.src for t in positions):
                continue
            for tname, index in positions.items():
                for body in _literals(g, tname):
                    elems = [e for e in body.named_children if e.type != "comment"]
                    if not elems or elems[0].type == "keyed_element":
                        continue
                    v = elems[index].named_children[0] if index < len(elems) and elems[index].named_child_count \
                        else None
                    out.append(FieldOp(g, body, "init", body, v))
        return out

    if package is None:
        return build()
    key = ("channels.field_ops", file.package_name, name)
    try:
        return package.memo[key]
    except KeyError:
        value = package.memo[key] = build()
        return value


def _positions(package: GoPackage | None, file: GoFile, name: str) -> dict[str, int]:
    """Struct type name -> position of the field ``name`` in it, for the named struct types of the
    package that declare the field."""
    from golint_traefik.go import decls

    out = {}
    for g, typ in decls.field_types(package, file).get(name, []):
        decl = typ.parent
        lst = decl.parent if decl is not None else None
        st = lst.parent if lst is not None else None
        spec = st.parent if st is not None else None
        if decl is None or decl.type != "field_declaration" or spec is None or spec.type != "type_spec":
            continue
        index = 0
        for d in lst.named_children:
            if d.type != "field_declaration":
                continue
            names = d.children_by_field_name("name")
            if d == decl:
                index += next(i for i, n in enumerate(names) if g.text(n) == name) if names else 0
                break
            index += len(names) or 1
        tname = spec.child_by_field_name("name")
        if tname is not None:
            out[g.text(tname)] = index
    return out


def assigned_value(target: Node) -> Node | None:
    """For a target of ``a, b = x, y`` (or ``:=``): the value assigned to it, when the sides pair up."""
    n = scope.outer_paren(target)
    left = n.parent
    stmt = left.parent if left is not None else None
    if stmt is None or stmt.type not in ("assignment_statement", "short_var_declaration"):
        return None
    right = stmt.child_by_field_name("right")
    targets, vals = list(left.named_children), list(right.named_children) if right is not None else []
    if len(targets) != len(vals):
        return None
    return vals[targets.index(n)]


def is_make_chan(file: GoFile, expr: Node | None) -> bool:
    """Whether ``expr`` is ``make(chan T[, n])`` with the builtin ``make``."""
    if expr is None:
        return False
    expr = scope.unparen(expr)
    if expr.type != "call_expression":
        return False
    fn, args = expr.child_by_field_name("function"), expr.child_by_field_name("arguments")
    return fn is not None and fn.type == "identifier" and file.text(fn) == "make" and args is not None \
        and args.named_child_count > 0 and args.named_children[0].type == "channel_type" \
        and builtin(file, fn)
