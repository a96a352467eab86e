"""Facts about package ``sync`` read from syntax: lock calls, lock-state flow, lock-holding types.

Without a type checker a mutex is known by what the code does with it:
``x.Lock()`` / ``x.Unlock()`` calls on the same receiver text (``s.mu``,
``mu``, ``c.locks[i]``).  This module answers the questions the GO2xx rules
share:

* :func:`sync_calls` -- calls of ``Lock``/``Unlock``/``Done``/``Wait``... on
  a receiver, with the function each one runs in;
* :func:`flow` -- which locks are *definitely* held at each exit, call and
  lock of one function body (:class:`LockFlow`, a small abstract interpreter
  over the structured statements of Go: ``if``/``for``/``switch``/``select``,
  ``break``/``continue``/``goto``/``fallthrough``, ``defer``, terminating
  calls); paths join by intersection, so a lock is reported held only when
  every path to the point holds it;
* :func:`lock_holders` -- the struct types of a package that contain a
  ``sync`` value (Mutex, WaitGroup, ...) by value, directly or through other
  struct types of the package; :func:`fields_naming_holders`, the struct
  fields that may hold one, point to one or contain some;
* :func:`methods` and :func:`unlocking_funcs` -- the package's methods by
  receiver type and the functions whose bodies release a lock;
* :func:`sync_type` -- the declared ``sync`` type of an expression
  (``WaitGroup``, ``Mutex``, ``Cond``, ...) when declarations say it;
* :func:`lock_name`, :func:`entry_locks` and :func:`order_edges` -- the same
  mutex across the functions of a package (``T.mu`` for a receiver's field,
  ``::mu`` for a package variable), the mutexes a function takes on its main
  path, and which mutexes are taken while which are held;
* :func:`locks_while_holding` and :func:`may_lock` -- whether a function's
  flow can show a lock taken, or a locking function called, with a lock
  held: most functions lock once and call nothing that locks, and their flows
  are not built for GO206/GO207;
* :func:`name_spans` -- where names occur as words in a file's text, found
  with ``bytes.find`` rather than a regex compiled per set of names.

Per-file results are memoised on ``file.memo``, per-package ones on
``package.memo``.
"""

from __future__ import annotations

import bisect
import operator
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, NamedTuple

from golint_traefik.go import decls, imports, scope
from golint_traefik.go.source import GoFile, GoPackage, Node, find_word, words

ACQUIRE = {"Lock": "w", "RLock": "r"}
RELEASE = {"Unlock": "w", "RUnlock": "r"}
LOCK_METHODS = frozenset({*ACQUIRE, *RELEASE})
# sync types that must not be copied after first use (they hold a noCopy or a Mutex).
NO_COPY = ("Mutex", "RWMutex", "WaitGroup", "Cond", "Once", "Map", "Pool")

_CALL_Q = "(call_expression) @c"


# Calls that end the path: the process exits, the goroutine exits (Goexit, t.FailNow) or panics.
_EXIT_PKG = {("os", "Exit"), ("syscall", "Exit"), ("runtime", "Goexit")}
_FATAL_METHODS = frozenset({"Fatal", "Fatalf", "Fatalln", "FailNow", "Skip", "Skipf", "SkipNow",
                            "Panic", "Panicf", "Panicln", "Exitf"})
_TERMINATING_NAMES = _FATAL_METHODS | {name for _, name in _EXIT_PKG}  # what terminates() looks for in x.M()
_UNLOCKISH = re.compile(r"unlock", re.I)


# ------------------------------------------------------------------ names in the text

_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def occurrences(file: GoFile, literal: bytes) -> list[int]:
    """The offsets of ``literal`` in the file's text, in order (overlapping ones included); found by
    ``bytes.find``, which runs at memchr speed, and remembered: rules look for the same names."""
    key = ("syncfacts.occurrences", literal)
    found = file.memo.get(key)
    if found is None:
        found = []
        src = file.src
        i = src.find(literal)
        while i >= 0:
            found.append(i)
            i = src.find(literal, i + 1)
        file.memo[key] = found
    return found


def names_at(file: GoFile, names: Iterable[str]) -> dict[int, list[bytes]]:
    """Offset -> the names (encoded, in the order given) whose text starts there."""
    at: dict[int, list[bytes]] = {}
    for n in names:
        b = n.encode()
        for i in occurrences(file, b):
            at.setdefault(i, []).append(b)
    return at


def word_start(src: bytes, pos: int) -> bool:
    """``pos`` starts a word (as :func:`source.words` checks)."""
    return pos == 0 or src[pos - 1] not in _WORD_BYTES


def name_end(src: bytes, pos: int, names: list[bytes]) -> int | None:
    """Where ``(name1|name2|...)\\b`` matched at ``pos`` ends, ``names`` being those found at
    ``pos`` in the order of the alternation: the first followed by a word boundary wins."""
    for n in names:
        e = pos + len(n)
        if (src[e - 1] in _WORD_BYTES) != (e < len(src) and src[e] in _WORD_BYTES):
            return e
    return None


def name_spans(file: GoFile, names: Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) of the matches of ``(name1|name2|...)\\b`` (names sorted) at the start of a word
    in the file's text: what :func:`source.words` finds with that pattern.

    Found from the names' :func:`occurrences`: such a pattern has no literal prefix, so the regex
    engine would try it at every byte of the file, and it would cost more to compile than to
    run.  So for many names too: a ``find`` per name (most are not in a given file) costs a
    third of one scan with the alternation of the thirty to a hundred lock-holding types some
    packages of real projects have."""
    names = sorted(names)
    if not names:
        return []
    src = file.src
    at = names_at(file, names)
    out = []
    end = 0
    for s in sorted(at):
        if s < end:
            continue  # inside the match before
        e = name_end(src, s, at[s])
        if e is None:
            continue
        end = e
        if word_start(src, s):
            out.append((s, e))
    return out


@lru_cache(maxsize=256)
def names_re(names: tuple[str, ...], prefix: bytes = b"", suffix: bytes = b"") -> re.Pattern:
    """``prefix(name1|name2|...)\\bsuffix`` with the names escaped, in the order given; compiled once
    per set of names (the files of a package ask for the same ones)."""
    return re.compile(prefix + rb"(" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b" + suffix)


# ------------------------------------------------------------------ calls


_FUNC_KW = re.compile(rb"func\b")  # with source.words: at a word boundary


def _inner_funcs(file: GoFile, func: Node) -> list[tuple[int, int]]:
    """(start, end) of the function literals directly inside ``func`` (not inside another one), in
    source order: found from the ``func`` keywords of its text, checked on the tree, as
    :func:`scope.functions` finds a file's functions -- the same keywords and the same check, so
    the same literals -- but in ``func``'s text alone: the rules ask about a few functions (those
    that lock), and the file's whole list would cost more than all of them."""
    ranges: list[tuple[int, int]] = []
    root = file.root
    for m in words(_FUNC_KW, file.src, func.start_byte, func.end_byte):
        if ranges and m.start() < ranges[-1][1]:
            continue  # inside a literal already found: nested in it
        kw = root.descendant_for_byte_range(m.start(), m.end())
        g = kw.parent if kw is not None and kw.type == "func" else None
        if g is not None and g.type in scope.FUNC_TYPES and func.start_byte < g.start_byte \
                and g.end_byte <= func.end_byte:
            ranges.append((g.start_byte, g.end_byte))
    return ranges


def func_calls(file: GoFile, func: Node) -> list[Node]:
    """The call expressions of ``func`` itself, in source order: those inside a function literal
    within it belong to the literal (``func(){...}()`` itself belongs to ``func``).  Queried on
    ``func`` alone: the rules ask about the few functions that lock, not every function."""
    key = ("syncfacts.calls", func.id)
    cached = file.memo.get(key)
    if cached is None:
        calls = file.captures(_CALL_Q, func).get("c", [])
        ranges = _inner_funcs(file, func)
        if ranges:
            own, i = [], 0
            for c in calls:
                while i < len(ranges) and ranges[i][1] <= c.start_byte:
                    i += 1
                if not (i < len(ranges) and ranges[i][0] <= c.start_byte and c.end_byte <= ranges[i][1]):
                    own.append(c)
            calls = own
        cached = file.memo[key] = calls
    return cached


class SyncCall(NamedTuple):
    """``recv.method(args)``: ``key`` is the receiver's text, ``func`` the function it runs in."""

    call: Node
    recv: Node
    method: str
    key: str
    nargs: int
    func: Node | None

    @property
    def is_statement(self) -> bool:
        par = scope.outer_paren(self.call).parent
        return par is not None and par.type == "expression_statement"

    @property
    def deferred(self) -> bool:
        par = scope.outer_paren(self.call).parent
        return par is not None and par.type == "defer_statement"


def sync_calls(file: GoFile, methods: Iterable[str]) -> list[SyncCall]:
    """Calls of any of ``methods`` on a receiver expression, in source order."""
    wanted = frozenset(methods)
    key = ("syncfacts.sync_calls", wanted)
    cached = file.memo.get(key)
    if cached is not None:
        return cached
    if wanted <= _SYNC_METHODS:
        out = [c for c in _all_sync_calls(file) if c.method in wanted]
    else:
        out = _query_sync_calls(file, wanted)
    file.memo[key] = out
    return out


def sync_calls_in(file: GoFile, methods: Iterable[str], node: Node) -> list[SyncCall]:
    """``sync_calls(file, methods)`` inside ``node``, by bisection of the file's list (in source
    order): a loop over the functions of a file stays linear in its number of calls."""
    wanted = frozenset(methods)
    calls = sync_calls(file, wanted)
    starts = file.memo_get(("syncfacts.sync_call_starts", wanted), lambda: [c.call.start_byte for c in calls])
    lo = bisect.bisect_left(starts, node.start_byte)
    return calls[lo:bisect.bisect_left(starts, node.end_byte, lo)]


# The methods the GO2xx rules ask about: one query per file finds them all.
_SYNC_METHODS = frozenset({*LOCK_METHODS, "Add", "Done", "Wait"})


def _all_sync_calls(file: GoFile) -> list[SyncCall]:
    return file.memo_get("syncfacts.all_sync_calls", lambda: _query_sync_calls(file, _SYNC_METHODS))


def _query_sync_calls(file: GoFile, wanted: frozenset) -> list[SyncCall]:
    out = []
    present = frozenset(m for m in wanted if file.has(m.encode() + b"("))
    if present:
        for call, recv, field in file.selector_calls(present):
            args = call.child_by_field_name("arguments")
            if args is None or args.type != "argument_list":
                continue
            out.append(SyncCall(call, recv, file.text(field), key_text(file, recv), args.named_child_count,
                                scope.enclosing_func(call)))
    out.sort(key=lambda c: c.call.start_byte)
    return out


_SPACES = re.compile(r"\s+")


def key_text(file: GoFile, recv: Node) -> str:
    """The text a receiver is compared by: ``(&s.mu)`` and ``s.mu`` are the same key."""
    n = scope.unparen(recv)
    while n.type == "unary_expression" and n.named_child_count == 1 and file.text(n)[:1] in "&*":
        n = scope.unparen(n.named_children[0])
    return _SPACES.sub("", file.text(n))


def callee_name(file: GoFile, call: Node) -> str | None:
    """``f`` for ``f(...)``, ``M`` for ``x.M(...)``; None for other callees."""
    fn = scope.unparen(call.child_by_field_name("function"))
    if fn.type == "identifier":
        return file.text(fn)
    if fn.type == "selector_expression":
        return file.text(fn.child_by_field_name("field"))
    if fn.type in ("generic_type", "index_expression"):  # f[T](...)
        base = fn.named_children[0] if fn.named_child_count else None
        return file.text(base) if base is not None and base.type == "identifier" else None
    return None


def terminates(file: GoFile, call: Node) -> str | None:
    """How a call ends the path, if it does: "panic", "exit" (os.Exit, log.Fatal) or "goexit"
    (runtime.Goexit, t.FailNow, t.Fatal, t.Skip)."""
    fn = scope.unparen(call.child_by_field_name("function"))
    if fn.type == "identifier":
        if file.text(fn) == "panic" and scope.resolve(file, fn) is None:
            return "panic"
        return None
    if fn.type != "selector_expression":
        return None
    operand, name = fn.child_by_field_name("operand"), file.text(fn.child_by_field_name("field"))
    if operand.type != "identifier" or name not in _FATAL_METHODS and name not in ("Exit", "Goexit"):
        return None
    recv = file.text(operand)
    path = file.imports.get(recv) if scope.resolve(file, operand) is None else None
    if path is not None and (path.rsplit("/", 1)[-1], name) in _EXIT_PKG:
        return "goexit" if name == "Goexit" else "exit"
    if name not in _FATAL_METHODS:
        return None
    if path == "log" or path is not None and path.endswith(("/logrus", "/klog", "/klog/v2", "/glog")):
        return "panic" if name.startswith("Panic") else "exit"
    if name.startswith("Panic") or name == "Exitf":
        return None  # a logger we do not know: it may or may not panic
    if _testing_param(file, operand):
        return "goexit"
    return None


# In a body's text, what a `return` statement or a call that terminates() calls "goexit" says.
_RETURN_OR_GOEXIT = re.compile(b"|".join(re.escape(n.encode()) for n in sorted({"return", "Goexit", *_FATAL_METHODS})))


def may_return_or_goexit(file: GoFile, func: Node) -> bool:
    """Whether the :class:`LockFlow` of ``func`` may have a ``return`` or ``goexit`` event: its
    body's text says ``return`` (a return statement does) or the name of a call :func:`terminates`
    calls "goexit" (``Goexit``, ``FailNow``, ``Fatal``...).  A superset: words in comments,
    strings, longer names and function literals count too."""
    body = func.child_by_field_name("body")
    return body is not None and _RETURN_OR_GOEXIT.search(file.src, body.start_byte, body.end_byte) is not None


_RECOVER = re.compile(rb"recover\(\)")  # with source.find_word: at a word boundary


def defers_recover(file: GoFile, func: Node) -> bool:
    """The function defers, at the top level of its body, a call that runs ``recover()``: a panic
    in it ends the function (or goroutine) without killing the program."""
    body = func.child_by_field_name("body")
    if body is None or find_word(_RECOVER, file.src, body.start_byte, body.end_byte) is None:
        return False
    return any(s.type == "defer_statement" and find_word(_RECOVER, file.src, s.start_byte, s.end_byte) is not None
               for s in scope.block_statements(body))


def _testing_param(file: GoFile, ident: Node) -> bool:
    """``t`` is declared as ``*testing.T`` / ``*testing.B`` / ``*testing.F`` / ``testing.TB``."""
    b = scope.resolve(file, ident)
    if b is None or b.type is None:
        return False
    return any(imports.is_type(file, b.type, ("testing",), n) for n in ("T", "B", "F", "TB"))


# ------------------------------------------------------------------ flow


class Fact(NamedTuple):
    """A lock held on a path: the acquiring call, whether a deferred call will release it, and the
    ``break``/``goto`` that carried it out of the statement list it was taken in."""

    site: Node
    deferred: bool = False
    via: Node | None = None

    def sig(self):
        return (self.site.id, self.deferred)


State = dict  # (key, mode) -> Fact; None stands for "unreachable"


def join(a: State | None, b: State | None) -> State | None:
    if a is None:
        return None if b is None else dict(b)
    if b is None:
        return dict(a)
    out = {}
    for k, fa in a.items():
        fb = b.get(k)
        if fb is not None:
            out[k] = fa._replace(deferred=fa.deferred or fb.deferred, via=fa.via or fb.via)
    return out


def _same(a: State | None, b: State | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.keys() == b.keys() and all(a[k].sig() == b[k].sig() for k in a)


@dataclass
class Event:
    """Something the flow saw with the locks held just before it.

    ``kind``: ``return``, ``end`` (falling off the body), ``continue``, ``break``, ``goto``,
    ``panic``, ``exit``, ``goexit`` (terminating calls), ``lock`` (an acquire, ``key``/``mode``
    set) or ``call`` (any other call while something is held).  ``target`` is the loop a
    ``continue``/``break`` goes to."""

    kind: str
    node: Node
    state: State
    key: str | None = None
    mode: str | None = None
    target: Node | None = None


@dataclass
class _Target:
    node: Node
    label: str | None
    loop: bool
    breaks: list
    continues: list


_SIMPLE = frozenset({
    "expression_statement", "assignment_statement", "short_var_declaration", "inc_statement",
    "dec_statement", "send_statement", "var_declaration", "const_declaration", "type_declaration",
    "empty_statement", "go_statement",
})
_ASSIGN_STMTS = frozenset({"assignment_statement", "short_var_declaration", "inc_statement", "dec_statement",
                           "var_declaration", "receive_statement"})
_IDENT_RE = re.compile(r"^[A-Za-z_]\w*$")


_MAX_STEPS = 200_000
_END_BYTE = operator.attrgetter("end_byte")


class _TooLong(Exception):
    pass


class LockFlow:
    """Definitely-held locks through one function body.

    ``acquire``/``release`` map method names to a mode (``x.Lock()`` acquires ``(x, "w")``).
    ``start`` is the state on entry (GO202 starts with the WaitGroup's obligation held).
    Calls of functions whose name contains "unlock", of package functions known to release
    a lock field (``unlockers``: name -> field names), and calls taking the key as an argument
    release the key: someone else may unlock it.  Assigning a variable forgets the keys
    written in terms of it.  Function literals are not entered.
    """

    def __init__(self, file: GoFile, func: Node, *, acquire=ACQUIRE, release=RELEASE,
                 start: State | None = None, unlockers: dict[str, frozenset[str]] | None = None,
                 releasing_name: re.Pattern | None = _UNLOCKISH, want_calls: bool = False):
        self.f = file
        self.func = func
        self.acquire = acquire
        self.release = release
        self.unlockers = unlockers or {}
        self.releasing_name = releasing_name
        self.want_calls = want_calls
        self.events: list[Event] = []
        self.deferred_keys: set = set()
        calls = func_calls(file, func)
        self._calls = calls
        self._info: dict[int, tuple] = {}
        self._starts = [c.start_byte for c in calls]
        self._targets: list[_Target] = []
        self._gotos: dict[str, list] = {}
        self._backward: set[str] = set()
        self._labels: dict[str, Node] = {}
        self._fallthrough: State | None = None
        body = func.child_by_field_name("body")
        self._scan_labels(body)
        self._lit_releases = self._closure_releases()
        self._steps = 0
        try:
            end = self._block(body, dict(start or {}))
        except _TooLong:
            self.events = []  # nested loops that would take too long: say nothing about this function
            return
        if end is not None:
            self.events.append(Event("end", body, end))

    # ------------------------------------------------------------- helpers
    def _scan_labels(self, body: Node | None) -> None:
        if body is None or b"goto" not in self.f.src[body.start_byte:body.end_byte]:
            return
        gotos = []
        for n in scope.walk(body):
            if n.type == "labeled_statement":
                ln = n.child_by_field_name("label")
                if ln is not None:
                    self._labels[self.f.text(ln)] = n
            elif n.type == "goto_statement":
                gotos.append(n)
        for g in gotos:
            ln = next((c for c in g.named_children if c.type == "label_name"), None)
            if ln is None:
                continue
            target = self._labels.get(self.f.text(ln))
            if target is not None and target.start_byte < g.start_byte:
                self._backward.add(self.f.text(ln))

    def _calls_in(self, node: Node | None) -> list[Node]:
        if node is None:
            return []
        i = bisect.bisect_left(self._starts, node.start_byte)
        j = bisect.bisect_left(self._starts, node.end_byte, lo=i)
        return sorted(self._calls[i:j], key=_END_BYTE)

    def _call(self, call: Node) -> tuple:
        """(arguments, method name for ``x.M(...)`` or None, lock key for a lock method called with
        no arguments or None, how the call ends the path or None), worked out once per call: loops
        and branches apply the same calls again."""
        info = self._info.get(call.id)
        if info is None:
            f = self.f
            fn = scope.unparen(call.child_by_field_name("function"))
            args = call.child_by_field_name("arguments")
            nargs = args.named_child_count if args is not None else 0
            m = key = kind = None
            if fn.type == "selector_expression":
                m = f.text(fn.child_by_field_name("field"))
                if nargs == 0 and (m in self.acquire or m in self.release):
                    key = key_text(f, fn.child_by_field_name("operand"))
                elif m in _TERMINATING_NAMES:
                    kind = terminates(f, call)
            elif fn.type == "identifier":
                kind = terminates(f, call)  # only a named function or method ends the path
            info = self._info[call.id] = (args, m, key, kind)
        return info

    def _effects(self, node: Node | None, st: State | None) -> tuple[State | None, str | None]:
        """Apply the calls of an expression or simple statement; returns the state and how the
        path ends (a terminating call's kind) or None."""
        if node is None or st is None:
            return st, None
        ended = None
        for call in self._calls_in(node):
            args, m, key, kind = self._call(call)
            if key is not None:
                if m in self.acquire:
                    mode = self.acquire[m]
                    self.events.append(Event("lock", call, dict(st), key, mode))
                    st[(key, mode)] = Fact(call, deferred=(key, mode) in self.deferred_keys)
                else:
                    st.pop((key, self.release[m]), None)
                continue
            if kind is not None:
                ended = ended or kind
                continue
            if st and self.want_calls:
                self.events.append(Event("call", call, dict(st)))
            if st:
                self._release_by_call(call, args, st)
        return st, ended

    def _release_by_call(self, call: Node, args: Node | None, st: State) -> None:
        name = callee_name(self.f, call)
        if name is not None and self._releasing(name):
            st.clear()
            return
        fields = self.unlockers.get(name) if name is not None else None
        if fields:
            for k in [k for k in st if _last_field(k[0]) in fields]:
                del st[k]
        if args is not None and args.named_child_count:
            texts = {key_text(self.f, a) for a in args.named_children}
            for k in [k for k in st if k[0] in texts]:
                del st[k]

    def _forget_written(self, stmt: Node, st: State | None) -> None:
        """Assigning ``x`` (or ``x.f``) makes keys written in terms of it name something else."""
        if not st:
            return
        targets = []
        t = stmt.type
        if t in ("assignment_statement", "short_var_declaration", "receive_statement", "range_clause"):
            left = stmt.child_by_field_name("left")
            targets = list(left.named_children) if left is not None and left.type == "expression_list" else \
                [left] if left is not None else []
        elif t in ("inc_statement", "dec_statement"):
            targets = stmt.named_children[:1]
        elif t == "var_declaration":
            targets = [n for spec in stmt.named_children for s in
                       (spec.named_children if spec.type == "var_spec_list" else [spec])
                       if s.type == "var_spec" for n in s.children_by_field_name("name")]
        for tnode in targets:
            text = key_text(self.f, tnode)
            if text == "_":
                continue
            ident = _IDENT_RE.match(text) is not None
            for k in [k for k in st if k[0] == text or k[0].startswith((text + ".", text + "["))
                      or ident and text in k[0] and _word_re(text).search(k[0])]:
                del st[k]

    def released_after(self, key: str, mode: str, pos: int) -> Node | None:
        """A call at or after byte ``pos`` of the function that may release ``(key, mode)``: its
        release method, a call named like a release, a package function known to release the
        field, a call taking the key as an argument, or a function literal releasing it."""
        f = self.f
        for call in self._calls[bisect.bisect_left(self._starts, pos):]:
            fn = scope.unparen(call.child_by_field_name("function"))
            args = call.child_by_field_name("arguments")
            nargs = args.named_child_count if args is not None else 0
            if fn.type == "selector_expression":
                m = f.text(fn.child_by_field_name("field"))
                if nargs == 0 and (m in self.release or m in self.acquire):
                    if self.release.get(m) == mode and key_text(f, fn.child_by_field_name("operand")) == key:
                        return call
                    continue
            name = callee_name(f, call)
            if name is not None and (self._releasing(name) or _last_field(key) in self.unlockers.get(name, ())):
                return call
            if nargs and key in {key_text(f, a) for a in args.named_children}:
                return call
        for c in sync_calls_in(f, self.release, self.func):
            if c.call.start_byte >= pos and c.key == key and self.release[c.method] == mode:
                return c.call
        return None

    def _releasing(self, name: str) -> bool:
        return self.releasing_name is not None and self.releasing_name.search(name) is not None

    # ---------------------------------------------------------- statements
    def _block(self, block: Node | None, st: State | None) -> State | None:
        if block is None:
            return st
        lst = next((c for c in block.named_children if c.type == "statement_list"), None) \
            if block.type == "block" else block
        if lst is None:
            return st
        return self._list(lst, st)

    def _list(self, lst: Node, st: State | None) -> State | None:
        for stmt in lst.named_children:
            if st is None and stmt.type != "labeled_statement":
                continue  # unreachable until a label
            st = self._stmt(stmt, st)
        return st

    def _closure_releases(self) -> list[tuple[int, int, set]]:
        """(start, end, keys) of the function literals inside the function (not deferred ones)
        that release a key without acquiring it first: a goroutine or callback that unlocks."""
        f, func = self.f, self.func
        out: dict[int, tuple[int, int, set]] = {}
        releases = [c for c in sync_calls_in(f, self.release, func) if c.nargs == 0 and c.func is not None
                    and c.func != func and c.func.type == "func_literal" and scope.within(c.func, func)]
        if not releases:
            return []
        acquires = sync_calls_in(f, self.acquire, func) if self.acquire else []
        for c in releases:
            lit = c.func
            par = lit.parent
            if par is not None and par.type == "call_expression" and par.parent is not None \
                    and par.parent.type == "defer_statement" and par.parent.parent is not None \
                    and scope.enclosing_func(par.parent) == func:
                continue  # a deferred closure: _defer sees it
            mode = self.release[c.method]
            if any(a.func == lit and a.key == c.key and self.acquire.get(a.method) == mode
                   and a.call.start_byte < c.call.start_byte for a in acquires):
                continue  # locks and unlocks itself
            entry = out.setdefault(lit.id, (lit.start_byte, lit.end_byte, set()))
            entry[2].add((c.key, mode))
        return list(out.values())

    def _drop_closure_releases(self, n: Node, st: State | None) -> None:
        if not st or not self._lit_releases:
            return
        for start, end, keys in self._lit_releases:
            if n.start_byte <= start and end <= n.end_byte:
                for k in keys:
                    st.pop(k, None)

    def _stmt(self, n: Node, st: State | None) -> State | None:
        self._steps += 1
        if self._steps > _MAX_STEPS:
            raise _TooLong
        t = n.type
        if t == "comment":
            return st
        if t in _SIMPLE:
            self._drop_closure_releases(n, st)
            if t == "go_statement":
                return st
            st, ended = self._effects(n, st)
            if t in _ASSIGN_STMTS:
                self._forget_written(n, st)
            if ended is not None:
                self.events.append(Event(ended, n, st))
                return None
            return st
        if t == "block":
            return self._block(n, st)
        if t == "return_statement":
            self._drop_closure_releases(n, st)
            st, ended = self._effects(n, st)
            self.events.append(Event(ended or "return", n, st))
            return None
        if t == "defer_statement":
            return self._defer(n, st)
        if t == "if_statement":
            return self._if(n, st)
        if t == "for_statement":
            return self._for(n, st, None)
        if t in ("expression_switch_statement", "type_switch_statement"):
            return self._switch(n, st, None)
        if t == "select_statement":
            return self._select(n, st, None)
        if t == "labeled_statement":
            return self._labeled(n, st)
        if t == "break_statement":
            return self._jump(n, st, loop_only=False)
        if t == "continue_statement":
            return self._jump(n, st, loop_only=True)
        if t == "goto_statement":
            ln = next((c for c in n.named_children if c.type == "label_name"), None)
            if ln is not None:
                name = self.f.text(ln)
                target = self._labels.get(name)
                self.events.append(Event("goto", n, st, target=target))
                self._gotos.setdefault(name, []).append(self._carry(st, n, None))
            return None
        if t == "fallthrough_statement":
            self._fallthrough = st
            return None
        # Anything else (a statement we do not model): apply its calls.
        st, ended = self._effects(n, st)
        return None if ended else st

    def _carry(self, st: State | None, jump: Node, target: Node | None) -> State | None:
        """Mark locks taken inside ``target`` as carried out of it by ``jump``."""
        if not st:
            return st
        out = {}
        for k, fact in st.items():
            if target is None or scope.within(fact.site, target) and fact.via is None:
                fact = fact._replace(via=jump)
            out[k] = fact
        return out

    def _defer(self, n: Node, st: State | None) -> State | None:
        call = next((c for c in n.named_children if c.type == "call_expression"), None)
        if call is None or st is None:
            return st
        released = self._deferred_release(call, st)
        for k in released:
            self.deferred_keys.add(k)
            if k in st:
                st[k] = st[k]._replace(deferred=True)
        return st

    def _deferred_release(self, call: Node, st: State) -> set:
        """The keys a deferred call releases."""
        f = self.f
        fn = scope.unparen(call.child_by_field_name("function"))
        out: set = set()
        if fn.type == "func_literal":
            for c in sync_calls_in(f, self.release, fn):
                if c.nargs == 0:
                    out.add((c.key, self.release[c.method]))
            for c in func_calls(f, fn):
                name = callee_name(f, c)
                if name is not None and (self._releasing(name) or name in self.unlockers) \
                        and name not in self.release:
                    out |= set(st)
            return out
        if fn.type == "selector_expression":
            m = f.text(fn.child_by_field_name("field"))
            if m in self.release:
                out.add((key_text(f, fn.child_by_field_name("operand")), self.release[m]))
                return out
        name = callee_name(f, call)
        if name is not None and self._releasing(name):
            return set(st)
        fields = self.unlockers.get(name) if name is not None else None
        if fields:
            out |= {k for k in st if _last_field(k[0]) in fields}
        return out

    def _if(self, n: Node, st: State | None) -> State | None:
        init = n.child_by_field_name("initializer")
        if init is not None:
            st = self._stmt(init, st)
        cond = n.child_by_field_name("condition")
        st, ended = self._effects(cond, st)
        if ended or st is None:
            return None
        const = self.f.text(scope.unparen(cond)) if cond is not None else ""
        then = self._block(n.child_by_field_name("consequence"), dict(st)) if const != "false" else None
        alt = n.child_by_field_name("alternative")
        other = self._stmt(alt, dict(st)) if alt is not None else st
        if const == "true":
            other = None
        if then is None:
            return other
        return join(then, other) if other is not None else then

    def _push(self, n: Node, label: str | None, loop: bool) -> _Target:
        t = _Target(n, label, loop, [], [])
        self._targets.append(t)
        return t

    def _for(self, n: Node, st: State | None, label: str | None) -> State | None:
        body = n.child_by_field_name("body")
        head_node = next((c for c in n.named_children if c != body and c.type != "comment"), None)
        cond = update = rng = None
        if head_node is not None and head_node.type == "for_clause":
            init = head_node.child_by_field_name("initializer")
            if init is not None:
                st = self._stmt(init, st)
            cond, update = head_node.child_by_field_name("condition"), head_node.child_by_field_name("update")
        elif head_node is not None and head_node.type == "range_clause":
            rng = head_node
            st, ended = self._effects(head_node.child_by_field_name("right"), st)
            if ended:
                return None
        elif head_node is not None:
            cond = head_node
        if st is None:
            return None
        endless = head_node is None or head_node.type == "for_clause" and cond is None
        entry = dict(st)
        head = entry
        mark = len(self.events)
        for _ in range(4):
            del self.events[mark:]
            s, ended = self._effects(cond, dict(head))
            if ended:
                return None
            exit_state = None if endless else dict(s)
            if rng is not None:
                self._forget_written(rng, s)
            target = self._push(n, label, True)
            out = self._block(body, s)
            self._targets.pop()
            back = out
            for c in target.continues:
                back = join(back, c) if back is not None else c
            if back is not None and update is not None:
                back = self._stmt(update, dict(back))
            new_head = join(entry, back) if back is not None else entry
            if _same(new_head, head):
                break
            head = new_head
        result = exit_state
        for b in target.breaks:
            result = join(result, b) if result is not None else b
        return result

    def _switch(self, n: Node, st: State | None, label: str | None) -> State | None:
        init = n.child_by_field_name("initializer")
        if init is not None:
            st = self._stmt(init, st)
        st, ended = self._effects(n.child_by_field_name("value"), st)
        if ended or st is None:
            return None
        cases = [c for c in n.named_children if c.type in ("expression_case", "type_case", "default_case")]
        has_default = any(c.type == "default_case" for c in cases)
        target = self._push(n, label, False)
        result = None if has_default else dict(st)
        carried = None
        for case in cases:
            entry = dict(st)
            for c in case.named_children:
                if c.type == "expression_list":
                    entry, _ = self._effects(c, entry)
            if carried is not None:
                entry = join(entry, carried)
            self._fallthrough = None
            lst = next((c for c in case.named_children if c.type == "statement_list"), None)
            out = self._list(lst, entry) if lst is not None else entry
            carried = self._fallthrough
            self._fallthrough = None
            result = join(result, out) if result is not None else out
        self._targets.pop()
        for b in target.breaks:
            result = join(result, b) if result is not None else b
        return result

    def _select(self, n: Node, st: State | None, label: str | None) -> State | None:
        if st is None:
            return None
        cases = [c for c in n.named_children if c.type in ("communication_case", "default_case")]
        target = self._push(n, label, False)
        result = None
        for case in cases:
            entry = dict(st)
            comm = case.child_by_field_name("communication")
            if comm is not None:
                entry, ended = self._effects(comm, entry)
                if ended:
                    continue
                if comm.type == "receive_statement":
                    self._forget_written(comm, entry)
            lst = next((c for c in case.named_children if c.type == "statement_list"), None)
            out = self._list(lst, entry) if lst is not None else entry
            result = join(result, out) if result is not None else out
        self._targets.pop()
        for b in target.breaks:
            result = join(result, b) if result is not None else b
        return result

    def _labeled(self, n: Node, st: State | None) -> State | None:
        ln = n.child_by_field_name("label")
        name = self.f.text(ln) if ln is not None else None
        for g in self._gotos.pop(name, []) if name is not None else []:
            st = join(st, g) if st is not None else g
        if name in self._backward:
            st = {}  # a backward goto may arrive with anything released
        inner = next((c for c in n.named_children if c.type not in ("label_name", "comment")), None)
        if inner is None:
            return st
        if inner.type == "for_statement":
            return self._for(inner, st, name)
        if inner.type in ("expression_switch_statement", "type_switch_statement"):
            return self._switch(inner, st, name)
        if inner.type == "select_statement":
            return self._select(inner, st, name)
        return self._stmt(inner, st)

    def _jump(self, n: Node, st: State | None, loop_only: bool) -> State | None:
        ln = next((c for c in n.named_children if c.type == "label_name"), None)
        label = self.f.text(ln) if ln is not None else None
        target = None
        for t in reversed(self._targets):
            if label is not None and t.label == label or label is None and (t.loop or not loop_only):
                target = t
                break
        if target is None or st is None:
            return None
        if loop_only:
            self.events.append(Event("continue", n, st, target=target.node))
            target.continues.append(dict(st))
        else:
            self.events.append(Event("break", n, st, target=target.node))
            target.breaks.append(self._carry(st, n, target.node))
        return None


@lru_cache(maxsize=1024)
def _word_re(name: str) -> re.Pattern:
    return re.compile(r"\b" + re.escape(name) + r"\b")


def _last_field(key: str) -> str:
    return key.rsplit(".", 1)[-1]


# ------------------------------------------------------------- package index


class Method(NamedTuple):
    file: GoFile
    node: Node  # method_declaration
    type_name: str
    name: str
    recv: str | None  # the receiver's name, None when unnamed
    pointer: bool


def receiver_of(file: GoFile, func: Node) -> tuple[str, str | None, bool, Node] | None:
    """(type name, receiver name or None, pointer receiver, type node) of a method declaration."""
    if func.type != "method_declaration":
        return None
    plist = func.child_by_field_name("receiver")
    decl = next((c for c in plist.named_children if c.type == "parameter_declaration"), None) if plist else None
    if decl is None:
        return None
    typ = decl.child_by_field_name("type")
    tnode = typ
    pointer = False
    while tnode is not None and tnode.type in ("pointer_type", "parenthesized_type"):
        pointer = pointer or tnode.type == "pointer_type"
        tnode = tnode.named_children[0] if tnode.named_child_count else None
    if tnode is not None and tnode.type == "generic_type":
        tnode = tnode.child_by_field_name("type")
    if tnode is None or tnode.type != "type_identifier":
        return None
    name = decl.child_by_field_name("name")
    rname = file.text(name) if name is not None and file.text(name) != "_" else None
    return file.text(tnode), rname, pointer, typ


# The head of a method declaration in its plain form, ``func (r *T) Name(`` (``(T)``, ``(r T[K, V])``):
# ASCII names, no comment, no qualified or parenthesised type.  Each name must be followed by a
# delimiter the pattern asks for, so a name with non-ASCII letters never matches cut short; and a
# parsed head of that text has exactly these parts -- unless a "name" is a keyword (``func (chan T)
# M()`` parses, as a channel type).  Other heads, and any in a tree with errors, are read on the tree.
_METHOD_HEAD = re.compile(rb"func\s*\(\s*(?:([A-Za-z_][A-Za-z0-9_]*)\s+)?(\*\s*)?([A-Za-z_][A-Za-z0-9_]*)\s*"
                          rb"(?:\[[^\][()/]*\]\s*)?\)\s*([A-Za-z_][A-Za-z0-9_]*)\s*[\[(]")
_KEYWORDS = frozenset(b"break case chan const continue default defer else fallthrough for func go goto if import "
                      b"interface map package range return select struct switch type var".split())


def method_head(file: GoFile, func: Node) -> tuple[str, str | None, bool, str | None] | None:
    """(type name, receiver name or None, pointer receiver, method name or None): what
    :func:`receiver_of` and the declaration's name say, read from the text when the head is plain
    (a node costs more to ask than the text to match), from the tree otherwise."""
    if func.type != "method_declaration":
        return None
    m = _METHOD_HEAD.match(file.src, func.start_byte) if not file.root.has_error else None
    if m is not None and not _KEYWORDS.intersection(m.groups()):
        rname = m.group(1)
        return (m.group(3).decode(), rname.decode() if rname is not None and rname != b"_" else None,
                m.group(2) is not None, m.group(4).decode())
    r = receiver_of(file, func)
    if r is None:
        return None
    name = func.child_by_field_name("name")
    return r[0], r[1], r[2], file.text(name) if name is not None else None


def top_level(file: GoFile, node_type: str) -> tuple[Node, ...]:
    """The top-level declarations of one type (no tree walk: they are children of the root)."""
    return file.top_by_type.get(node_type, ())


def methods(package: GoPackage | None, file: GoFile) -> dict[tuple[str, str], Method]:
    """(receiver type name, method name) -> the method, over the files of ``file``'s package."""

    def build():
        out: dict[tuple[str, str], Method] = {}
        for f in decls._files(package, file):
            for m in top_level(f, "method_declaration"):
                h = method_head(f, m)
                if h is None or h[3] is None:
                    continue
                out.setdefault((h[0], h[3]), Method(f, m, h[0], h[3], h[1], h[2]))
        return out

    return decls._memo(package, ("syncfacts.methods", file.package_name), build)


def struct_fields(package: GoPackage | None, file: GoFile) -> dict[str, list[tuple[GoFile, Node]]]:
    """Field name -> (file, type node) for the fields of the package's top-level struct types
    (no tree walk; :func:`decls.field_types` has every field, local types included)."""

    def build():
        out: dict[str, list[tuple[GoFile, Node]]] = {}
        for f in decls._files(package, file):
            for spec in _type_specs(f):
                _index_fields(f, spec.child_by_field_name("type"), None, out)
        return out

    return decls._memo(package, ("syncfacts.struct_fields", file.package_name), build)


def fields_naming_holders(package: GoPackage | None, file: GoFile) -> dict[str, list[tuple[GoFile, Node]]]:
    """The entries of :func:`struct_fields` whose type names a sync type or a lock-holding type
    (:func:`lock_holders`) as a word: a superset of the fields that hold a lock, point to a holder
    or contain holders.  Only the structs :func:`lock_holders` saw name one are looked at."""

    def build():
        out: dict[str, list[tuple[GoFile, Node]]] = {}
        naming = _holders(package, file)[1]
        if naming:
            names = _words_re({*lock_holders(package, file), *NO_COPY})
            for f, typ in naming:
                _index_fields(f, typ, names, out)
        return out

    return decls._memo(package, ("syncfacts.fields_naming_holders", file.package_name), build)


def _index_fields(f: GoFile, typ: Node | None, names: re.Pattern | None, out: dict) -> None:
    """Add the fields of ``typ`` (a top-level type of ``f``; nothing unless a struct) to ``out``:
    field name -> (file, type node), for the fields whose type names one of ``names`` (a words
    pattern for :func:`source.find_word`; None: every field)."""
    if typ is None or typ.type != "struct_type":
        return
    lst = next((c for c in typ.named_children if c.type == "field_declaration_list"), None)
    for fd in lst.named_children if lst is not None else []:
        ft = fd.child_by_field_name("type") if fd.type == "field_declaration" else None
        if ft is None or names is not None and not _has_word(names, f.src, ft.start_byte, ft.end_byte):
            continue
        for n in decls.field_names(f, fd, ft):
            out.setdefault(n, []).append((f, ft))


def top_funcs(package: GoPackage | None, file: GoFile) -> dict[str, tuple[GoFile, Node]]:
    """Package-level function name -> (file, declaration)."""

    def build():
        out: dict[str, tuple[GoFile, Node]] = {}
        for f in decls._files(package, file):
            for fn in top_level(f, "function_declaration"):
                name = fn.child_by_field_name("name")
                if name is not None:
                    out.setdefault(f.text(name), (f, fn))
        return out

    return decls._memo(package, ("syncfacts.funcs", file.package_name), build)


def unlocking_funcs(package: GoPackage | None, file: GoFile,
                    release: Iterable[str] = tuple(RELEASE)) -> dict[str, frozenset[str]]:
    """Function or method name -> the last field names of the locks its body releases
    (``s.mu.Unlock()`` -> ``mu``), for every function of the package that releases one.
    ``release`` names the releasing methods (``("Done",)`` for WaitGroups).

    Names, not types: a method ``close`` of any type that unlocks ``mu`` puts ``close`` here."""
    release = tuple(sorted(release))
    needles = [m.encode() + b"()" for m in release]
    # A needle containing another (``RUnlock()``, ``Unlock()``) is in the text only if that one is.
    needles = [n for n in needles if not any(m != n and m in n for m in needles)]

    def build():
        out: dict[str, set[str]] = {}
        for f in decls._files(package, file):
            if not any(f.has(n) for n in needles):
                continue
            for c in sync_calls(f, release):
                if c.nargs or c.func is None:
                    continue
                top = c.func
                while top.type == "func_literal":  # a closure's unlock belongs to its declaring function
                    outer = scope.enclosing_func(top)
                    if outer is None:
                        break
                    top = outer
                if top.type == "func_literal":
                    continue
                name = top.child_by_field_name("name")
                if name is not None:
                    out.setdefault(f.text(name), set()).add(_last_field(c.key))
        return {k: frozenset(v) for k, v in out.items()}

    return decls._memo(package, ("syncfacts.unlockers", file.package_name, release), build)


# ------------------------------------------------------------- types


def sync_type_name(file: GoFile, typ: Node | None, *, pointer: bool | None = False) -> str | None:
    """``Mutex`` for the type expression ``sync.Mutex`` (``pointer`` as in :func:`imports.is_type`)."""
    if typ is None:
        return None
    base = typ.named_children[0] if typ.type == "pointer_type" and typ.named_child_count else typ
    if base.type == "qualified_type":
        name = base.child_by_field_name("name")
    elif base.type == "type_identifier":
        name = base
    else:
        return None
    if name is None:
        return None
    tname = file.text(name)
    if tname in NO_COPY and imports.is_type(file, typ, imports.SYNC, tname, pointer=pointer):
        return tname
    return None


def _type_specs(f: GoFile):
    for decl in top_level(f, "type_declaration"):
        for c in decl.named_children:
            if c.type in ("type_spec", "type_alias"):
                yield c


class Held(NamedTuple):
    """Why a type must not be copied: the sync type it holds by value and the field path to it
    (empty when the type is the sync type itself)."""

    sync: str  # "Mutex", "WaitGroup", ...
    path: tuple[str, ...] = ()

    def describe(self, type_text: str) -> str:
        """``sync.Mutex``, or ``Cache, whose mu is a sync.Mutex``."""
        if not self.path:
            return f"sync.{self.sync}"
        return f"{type_text.lstrip('*')}, whose {self.where} is a sync.{self.sync}"

    @property
    def where(self) -> str:
        """The field path: ``inner.mu``, ``locks[i]``, ``[i].mu``."""
        return "".join(p if p.startswith("[") or i == 0 else "." + p for i, p in enumerate(self.path))


def lock_holders(package: GoPackage | None, file: GoFile) -> dict[str, Held]:
    """Type name -> what it holds, for each type declared in ``file``'s package (struct, array or
    defined type) that holds a sync value by value, directly or through other such types."""
    return _holders(package, file)[0]


def _holders(package: GoPackage | None, file: GoFile) -> tuple[dict[str, Held], list[tuple[GoFile, Node]]]:
    """(:func:`lock_holders`, the top-level type declarations -- file, type node -- whose text
    names a sync type or a holder as a word, the holders among them).  The declarations are
    found while the holders are: each is tried against the names of each round."""

    def build():
        specs: dict[str, list[tuple[GoFile, Node]]] = {}
        files = decls._files(package, file)
        if not any(imports.imports_any(f, imports.SYNC) for f in files):
            return {}, []  # nothing in the package can hold a sync value: sync types are named through an import
        for f in files:
            if not f.has(b"type"):
                continue
            for spec in _type_specs(f):
                name = spec.child_by_field_name("name")
                typ = spec.child_by_field_name("type")
                if name is not None and typ is not None:
                    specs.setdefault(f.text(name), []).append((f, typ))
        out: dict[str, Held] = {}
        named: dict[str, list[tuple[GoFile, Node]]] = {}
        # A type can hold a sync value only if its text names a sync type or a holder found so far:
        # each round looks only at the declarations that name a holder found in the round before.
        # A declaration naming one is tried in the round after the one that found it, so every
        # declaration naming a sync type or a holder is among those some round finds naming one.
        names = _NO_COPY_WORDS
        pending = dict(specs)
        while names is not None and pending:
            found: dict[str, Held] = {}
            for name, decl in pending.items():
                if not any(_has_word(names, f.src, typ.start_byte, typ.end_byte) for f, typ in decl):
                    continue
                named.setdefault(name, decl)
                # Declared in several files (build tags): a holder only if every declaration is one.
                helds = [_holds(f, typ, {**out, **found}) for f, typ in decl]
                if all(h is not None for h in helds):
                    found[name] = helds[0]
            for name in found:
                del pending[name]
            out.update(found)
            names = _words_re(found) if found else None
        return out, [d for decl in named.values() for d in decl]

    return decls._memo(package, ("syncfacts.holders", file.package_name), build)


_NO_COPY_WORDS = re.compile(rb"(?:" + b"|".join(n.encode() for n in NO_COPY) + rb")\b")  # with find_word


def _has_word(rx: re.Pattern, src: bytes, start: int, end: int) -> bool:
    """``source.find_word(rx, src, start, end) is not None``, in one search when nothing matches
    (most declarations and fields name no sync type)."""
    m = rx.search(src, start, end)
    return m is not None and (word_start(src, m.start()) or find_word(rx, src, m.end(), end) is not None)


def _words_re(names) -> re.Pattern:
    return re.compile(rb"(?:" + b"|".join(re.escape(n.encode()) for n in sorted(names)) + rb")\b")  # with find_word


def _holds(f: GoFile, typ: Node | None, known: dict[str, Held]) -> Held | None:
    """What sync value ``typ`` holds by value, given the already known holder types."""
    if typ is None:
        return None
    t = typ.type
    if t in ("qualified_type", "type_identifier"):
        s = sync_type_name(f, typ, pointer=False)
        if s is not None:
            return Held(s)
        return known.get(f.text(typ)) if t == "type_identifier" else None
    if t == "generic_type":
        return _holds(f, typ.child_by_field_name("type"), known)
    if t == "array_type":
        held = _holds(f, typ.child_by_field_name("element"), known)
        return Held(held.sync, ("[i]", *held.path)) if held is not None else None
    if t == "parenthesized_type" and typ.named_child_count:
        return _holds(f, typ.named_children[0], known)
    if t == "struct_type":
        lst = next((c for c in typ.named_children if c.type == "field_declaration_list"), None)
        for fd in lst.named_children if lst is not None else []:
            if fd.type != "field_declaration":
                continue
            ft = fd.child_by_field_name("type")
            if ft is None or any(not c.is_named and c.type == "*" for c in fd.children):
                continue  # embedded *T: a pointer
            held = _holds(f, ft, known)
            if held is not None:
                names = fd.children_by_field_name("name")
                field = f.text(names[0]) if names else f.text(ft).rsplit(".", 1)[-1].split("[", 1)[0]
                return Held(held.sync, (field, *held.path))
    return None


def holder_of_type(package: GoPackage | None, file: GoFile, typ: Node | None) -> Held | None:
    """What sync value the type expression ``typ`` (as written in ``file``) holds by value."""
    if typ is None:
        return None
    return _holds(file, typ, lock_holders(package, file))


def embedded_pointer(typ: Node) -> bool:
    """The type node of an embedded ``*T`` field (tree-sitter keeps the ``*`` on the field)."""
    fd = typ.parent
    return fd is not None and fd.type == "field_declaration" and not fd.children_by_field_name("name") \
        and any(not c.is_named and c.type == "*" for c in fd.children)


def field_decls(package: GoPackage | None, file: GoFile, name: str) -> list[tuple[GoFile, Node, bool]]:
    """(file, type node, is a pointer) for every struct field named ``name`` in the package
    (embedded fields by their type name; an embedded ``*T`` is a pointer).  Empty when no
    top-level struct of the package has such a field (fields of local types alone say too little)."""
    if name not in struct_fields(package, file):
        return []
    return [(g, t, t.type == "pointer_type" or embedded_pointer(t))
            for g, t in decls.field_types(package, file).get(name, [])]


def sync_type(p, expr: Node) -> str | None:
    """The sync type (``WaitGroup``, ``Mutex``, ``Cond``, ...) ``expr`` is declared with, by value or
    pointer, when declarations say so: a local, parameter or package variable declared with the
    type or initialised with ``T{}``, ``&T{}``, ``new(T)`` (and ``sync.NewCond`` for Cond); a
    struct field ``x.f`` when every field ``f`` of the package has that one sync type."""
    f = p.file
    expr = scope.unparen(expr)
    if expr.type == "identifier":
        b = scope.resolve(f, expr)
        if b is None:
            found = decls.package_var(p.package, f, f.text(expr))
            if found is None:
                return None
            f, b = found
        if b.type is not None:
            return sync_type_name(f, b.type, pointer=None)
        v = b.value
        if v is None:
            return None
        for name in NO_COPY:
            if imports.is_constructed(f, v, imports.SYNC, name):
                return name
        if v.type == "call_expression" and any(c.call == v for c in imports.calls(f, imports.SYNC, ("NewCond",), v)):
            return "Cond"
        return None
    if expr.type == "selector_expression":
        name = f.text(expr.child_by_field_name("field"))
        cheap = {sync_type_name(g, t, pointer=None) for g, t in struct_fields(p.package, f).get(name, [])}
        if len(cheap) != 1 or None in cheap:
            return None  # the top-level structs already disagree (or know no such field)
        fields = field_decls(p.package, f, name)
        if not fields:
            return None
        kinds = {sync_type_name(g, t, pointer=None) for g, t, _ in fields}
        return kinds.pop() if len(kinds) == 1 else None
    return None


# ------------------------------------------------------------- lock identity across functions


def flow(file: GoFile, func: Node, package: GoPackage | None) -> LockFlow:
    """The :class:`LockFlow` of ``func`` with the package's unlocking helpers, ``call`` events
    included; memoised on the file so rules share it."""
    key = ("syncfacts.flow", func.id)
    cached = file.memo.get(key)
    if cached is None:
        cached = file.memo[key] = LockFlow(file, func, unlockers=unlocking_funcs(package, file), want_calls=True)
    return cached


def _root(node: Node) -> tuple[Node | None, bool]:
    """The identifier a receiver expression starts from, and whether the path indexes or calls."""
    n = scope.unparen(node)
    dynamic = False
    while True:
        if n.type == "identifier":
            return n, dynamic
        if n.type == "selector_expression":
            n = scope.unparen(n.child_by_field_name("operand"))
        elif n.type == "index_expression":
            dynamic = True
            n = scope.unparen(n.child_by_field_name("operand"))
        elif n.type == "unary_expression" and n.named_child_count == 1:
            n = scope.unparen(n.named_children[0])
        else:
            return None, True


def receiver_binding(file: GoFile, func: Node) -> tuple[str, str] | None:
    """(type name, receiver name) of a method declaration with a named receiver (memoised on the
    file: every lock and call of a method asks)."""
    key = ("syncfacts.receiver", func.id)
    try:
        return file.memo[key]
    except KeyError:
        pass
    r = method_head(file, func)
    found = file.memo[key] = None if r is None or r[1] is None else (r[0], r[1])
    return found


def lock_name(package: GoPackage | None, file: GoFile, func: Node, call: Node) -> str | None:
    """The package-wide name of the mutex a ``x.Lock()``-like call works on, or None when it is
    not the same mutex every time the function runs.

    ``T.mu`` for ``r.mu`` where ``r`` is the receiver of a method of ``T`` (``T`` alone for an
    embedded mutex, ``r.Lock()``); ``::mu`` / ``::state.mu`` for package-level variables.  Paths
    through an index or a call are not named."""
    memo_key = ("syncfacts.lock_name", func.id, call.id)
    try:
        return file.memo[memo_key]
    except KeyError:
        pass
    found = file.memo[memo_key] = _lock_name(package, file, func, call)
    return found


def _lock_name(package: GoPackage | None, file: GoFile, func: Node, call: Node) -> str | None:
    fn = scope.unparen(call.child_by_field_name("function"))
    if fn.type != "selector_expression":
        return None
    operand = fn.child_by_field_name("operand")
    root, dynamic = _root(operand)
    if root is None or dynamic:
        return None
    key = key_text(file, operand)
    rb = receiver_binding(file, func)
    name = file.text(root)
    if (rb is None or rb[1] != name) and name not in decls.package_var_names(package, file):
        return None  # neither the receiver nor a package variable, whatever it resolves to
    b = scope.resolve(file, root)
    if b is not None and b.kind == "receiver":
        if rb is None or b.func != func or rb[1] != name:
            return None
        rest = key[len(name):]
        return rb[0] + rest
    if b is None:
        return "::" + key if name in decls.package_var_names(package, file) else None
    return "::" + key if b.kind == "package" and b.decl.type == "var_spec" else None


class EntryLock(NamedTuple):
    """A lock a function takes whenever it runs: ``site`` (in ``file``) is the Lock call,
    ``chain`` the functions from the callee to the one locking."""

    mode: str
    site: Node
    file: GoFile
    chain: tuple[str, ...]


def func_decl(package: GoPackage | None, file: GoFile, type_name: str, name: str) -> tuple[GoFile, Node] | None:
    """The method ``type_name.name`` (or, for an empty ``type_name``, the function ``name``)."""
    if type_name:
        m = methods(package, file).get((type_name, name))
        return (m.file, m.node) if m is not None else None
    return top_funcs(package, file).get(name)


def callee_decl(package: GoPackage | None, file: GoFile, func: Node, call: Node) -> tuple[str, str] | None:
    """(type name, name) of a call ``r.N()`` on the receiver of ``func`` or ``g()`` of a package
    function (type name ""), when the package declares it."""
    fn = scope.unparen(call.child_by_field_name("function"))
    if fn.type == "identifier":
        name = file.text(fn)
        if name not in top_funcs(package, file):
            return None
        b = scope.resolve(file, fn)
        return None if b is not None and b.kind != "package" else ("", name)
    if fn.type != "selector_expression":
        return None
    op = scope.unparen(fn.child_by_field_name("operand"))
    rb = receiver_binding(file, func)
    if rb is None or op.type != "identifier" or file.text(op) != rb[1]:
        return None
    name = file.text(fn.child_by_field_name("field"))
    return (rb[0], name) if (rb[0], name) in methods(package, file) else None


_MAX_DEPTH = 4


def _returns_before(file: GoFile, top: list[Node], stmt: Node) -> bool:
    """A top-level statement before ``stmt`` may return (function literals aside)."""
    for s in top:
        if s.start_byte >= stmt.start_byte:
            return False
        if s.type == "return_statement" or b"return" in file.src[s.start_byte:s.end_byte] and any(
                n.type == "return_statement" for n in scope.walk(s)):
            return True
    return False


def entry_locks(package: GoPackage | None, file: GoFile, type_name: str, name: str,
                _depth: int = 0) -> dict[str, EntryLock]:
    """The mutexes (by :func:`lock_name`) a function or method locks on its main path: a
    ``Lock``/``RLock`` statement at the top level of its body, or a call at the top level of
    its body of a same-receiver method or package function that does (up to four calls deep).
    A mutex the function unlocks before locking it -- it expects the caller to hold it -- is
    left out, and so are package-level mutexes reached through a method of another receiver."""
    memo = decls._memo(package, ("syncfacts.entry", file.package_name), package.group_memo if package is not None else dict)
    key = (type_name, name)
    if key in memo:
        return memo[key]
    memo[key] = {}  # cycle guard
    found = func_decl(package, file, type_name, name)
    if found is None or _depth > _MAX_DEPTH:
        return {}
    g, node = found
    body = node.child_by_field_name("body")
    top = scope.block_statements(body)
    if not top:
        return {}
    top_list = top[0].parent
    out: dict[str, EntryLock] = {}
    released: set[str] = set()
    for call in func_calls(g, node):
        stmt = scope.statement_of(call)  # the statement holding the call: top-level means always run
        if stmt is None or stmt.parent != top_list or stmt.type in ("go_statement", "defer_statement"):
            stmt = None
        fn = scope.unparen(call.child_by_field_name("function"))
        if fn.type == "selector_expression":
            m = g.text(fn.child_by_field_name("field"))
            args = call.child_by_field_name("arguments")
            if m in LOCK_METHODS and args is not None and args.named_child_count == 0:
                lname = lock_name(package, g, node, call)
                if lname is None:
                    continue
                if m in RELEASE:
                    released.add(lname)
                elif stmt is not None and stmt.type == "expression_statement" and lname not in released \
                        and lname not in out:
                    out[lname] = EntryLock(ACQUIRE[m], call, g, (name,))
                continue
        if stmt is None or _returns_before(g, top, stmt):
            continue  # a callee reached only past an early return may depend on the parameters
        callee = callee_decl(package, g, node, call)
        if callee is None or callee == key:
            continue
        for lname, el in entry_locks(package, g, callee[0], callee[1], _depth + 1).items():
            if lname not in out and lname not in released:
                out[lname] = EntryLock(el.mode, el.site, el.file, (name, *el.chain))
    memo[key] = out
    return out


_LOCK_WORD = re.compile(rb"R?Lock(?![0-9A-Za-z_])")  # with source.words: the method name of an acquire
# A Go identifier in the text (bytes of UTF-8 sequences count as letters: a name is never cut short).
_IDENT = re.compile(rb"[A-Za-z_\x80-\xff][0-9A-Za-z_\x80-\xff]*")


def _func_names(package: GoPackage | None, file: GoFile) -> dict[bytes, str]:
    """The package's function names, encoded -> as they are: what a body's words are looked up in."""
    return decls._memo(package, ("syncfacts.func_names", file.package_name),
                       lambda: {name.encode(): name for name in top_funcs(package, file)})


def _method_names(package: GoPackage | None, file: GoFile) -> dict[str, frozenset[bytes]]:
    """Receiver type name -> the names of its methods, encoded."""

    def build():
        by_type: dict[str, set[bytes]] = {}
        for type_name, name in methods(package, file):
            by_type.setdefault(type_name, set()).add(name.encode())
        return {t: frozenset(ns) for t, ns in by_type.items()}

    return decls._memo(package, ("syncfacts.method_names", file.package_name), build)


def _named_callees(package: GoPackage | None, file: GoFile, func: Node, rb: tuple[str, str] | None,
                   start: int = 0) -> set[tuple[str, str]]:
    """The package functions, and methods of the type of ``func``'s named receiver (``rb``, as
    :func:`receiver_binding` gives it), whose names are words of ``func``'s body from byte
    ``start`` on: a superset of the callees :func:`callee_decl` finds in calls there."""
    body = func.child_by_field_name("body")
    if body is None:
        return set()
    found = set(_IDENT.findall(file.src, max(start, body.start_byte), body.end_byte))
    funcs = _func_names(package, file)
    out = {("", funcs[w]) for w in found & funcs.keys()}
    if rb is not None:
        out.update((rb[0], w.decode()) for w in found & _method_names(package, file).get(rb[0], frozenset()))
    return out


def may_lock(package: GoPackage | None, file: GoFile, key: tuple[str, str]) -> bool:
    """Whether the function or method ``key`` (as :func:`callee_decl` gives it) may lock a mutex:
    its body, or the body of a function it names (:func:`_named_callees`) to any depth, says
    ``Lock`` or ``RLock``.

    A superset of the callees :func:`entry_locks` finds a lock in, whatever the depth it is asked
    at: every function it would look at from here says no ``Lock``, so each is ``{}`` however
    deep it is first asked about."""
    memo = decls._memo(package, ("syncfacts.may_lock", file.package_name), package.group_memo if package is not None else dict)
    known = memo.get(key)
    if known is not None:
        return known
    came_from = {key: None}  # the caller each function was first reached from
    todo = [key]
    while todo:
        k = todo.pop()
        type_name, name = k
        if type_name:  # func_decl, with the receiver's name at hand
            m = methods(package, file).get((type_name, name))
            g, node, rb = (m.file, m.node, (type_name, m.recv) if m.recv else None) if m else (None, None, None)
        else:
            g, node = top_funcs(package, file).get(name, (None, None))
            rb = None
        if node is None:
            continue
        body = node.child_by_field_name("body")
        if body is not None and find_word(_LOCK_WORD, g.src, body.start_byte, body.end_byte) is not None:
            while k is not None:  # it locks, and so do the functions the search came through
                memo[k] = True
                k = came_from[k]
            return True
        for c in _named_callees(package, g, node, rb):
            if c in came_from or memo.get(c) is False:
                continue
            came_from[c] = k
            if memo.get(c):
                while c is not None:
                    memo[c] = True
                    c = came_from[c]
                return True
            todo.append(c)
    for k in came_from:  # none of them reaches a Lock
        memo[k] = False
    return False


def locks_while_holding(package: GoPackage | None, file: GoFile, func: Node) -> bool:
    """Whether the :func:`flow` of ``func`` (a function that locks) may take a lock, or call a
    function of the package that may lock (:func:`may_lock`), while it holds a lock: the only
    events GO206 (double lock) and GO207 (lock order) look at.

    False for the common function that locks once, outside any loop and any ``goto``, and calls
    nothing that locks: every lock it takes is taken with nothing held, and no call it makes while
    holding it locks -- its flow need not be worked out for them."""
    key = ("syncfacts.locks_while_holding", func.id)
    known = file.memo.get(key)
    if known is None:
        known = file.memo[key] = _locks_while_holding(package, file, func)
    return known


def _locks_while_holding(package: GoPackage | None, file: GoFile, func: Node) -> bool:
    body = func.child_by_field_name("body")
    if body is None:
        return False
    src = file.src
    sites = [m.start() for m in words(_LOCK_WORD, src, body.start_byte, body.end_byte)]
    if len(sites) != 1:
        return len(sites) > 1  # two lock calls (or more): one may be taken while the other is held
    if b"goto" in src[body.start_byte:body.end_byte]:
        return True
    site = file.root.named_descendant_for_byte_range(sites[0], sites[0] + 1)
    if site is None or scope.loops_between(site, func):
        return True  # a lock in a loop is taken again on the next iteration
    # Nothing is held before the lock: only the calls after it (their names are after the start
    # of its statement) can lock while it is held.  The words of the text say which callees may be
    # called; the calls themselves are looked at only when one of those may lock.
    stmt = scope.statement_of(site) or site
    rb = receiver_binding(file, func)
    if not any(may_lock(package, file, k) for k in _named_callees(package, file, func, rb, stmt.start_byte)):
        return False
    for call in func_calls(file, func):
        if call.end_byte > sites[0]:
            callee = callee_decl(package, file, func, call)
            if callee is not None and may_lock(package, file, callee):
                return True
    return False


class OrderEdge(NamedTuple):
    """``second`` is locked (at ``site``, or inside the callee ``chain`` of the call at ``site``)
    while ``first`` is held (locked at ``held_site``); ``gates`` are the other locks held."""

    first: str
    first_mode: str
    second: str
    second_mode: str
    file: GoFile
    func: Node
    held_site: Node
    site: Node
    first_key: str
    second_key: str
    chain: tuple[str, ...]
    gates: frozenset


def order_edges(package: GoPackage | None, file: GoFile) -> dict[tuple[str, str], list[OrderEdge]]:
    """(first, second) lock names -> the places that lock ``second`` while holding ``first``,
    over every function of ``file``'s package (names from :func:`lock_name`)."""

    def build():
        out: dict[tuple[str, str], list[OrderEdge]] = {}
        for g in decls._files(package, file):
            if not g.has(b"Lock()"):
                continue
            funcs = {}
            for c in sync_calls(g, ACQUIRE):
                if c.nargs == 0 and c.func is not None:
                    funcs.setdefault(c.func.id, c.func)
            for func in funcs.values():
                if not locks_while_holding(package, g, func):
                    continue  # no lock taken, and no locking call made, with another lock held
                for ev in flow(g, func, package).events:
                    if not ev.state or ev.kind not in ("lock", "call"):
                        continue
                    held = []
                    for (key, mode), fact in ev.state.items():
                        n1 = lock_name(package, g, func, fact.site)
                        if n1 is not None:
                            held.append((n1, mode, fact, key))
                    if not held:
                        continue
                    if ev.kind == "lock":
                        n2 = lock_name(package, g, func, ev.node)
                        wanted = [(n2, ev.mode, ev.key, ())] if n2 is not None else []
                    else:
                        callee = callee_decl(package, g, func, ev.node)
                        wanted = []
                        if callee is not None:
                            for n2, el in entry_locks(package, g, callee[0], callee[1]).items():
                                wanted.append((n2, el.mode, n2.lstrip(":"), el.chain))
                    names = {h[0] for h in held}
                    for n2, mode2, key2, chain in wanted:
                        for n1, mode1, fact, key1 in held:
                            if n1 == n2:
                                continue
                            e = OrderEdge(n1, mode1, n2, mode2, g, func, fact.site, ev.node, key1, key2, chain,
                                          frozenset(names - {n1, n2}))
                            out.setdefault((n1, n2), []).append(e)
        return out

    return decls._memo(package, ("syncfacts.order", file.package_name), build)
