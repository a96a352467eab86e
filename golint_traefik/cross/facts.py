"""Go facts the cross-checks need: small, picklable, JSON-serialisable records.

The Go worker processes turn each package (one directory) into one
:class:`PackageFacts` while its files are parsed anyway
(:func:`golint_traefik.cross.gofacts.package_facts`); the main process links
them to the Traefik model.  Nothing here holds a tree-sitter node: positions
are :class:`~golint_traefik.finding.Span`, code is referred to by *keys*.

Keys name the things routes hang off and handlers refer to, as text:

* ``root:<file>:<line>:<col>`` -- a router made by a constructor
  (``http.NewServeMux()``, ``mux.NewRouter()``, ``chi.NewRouter()``,
  ``gin.New()``, ``echo.New()``, ``fiber.New()``) at that place;
  ``default`` -- ``http.DefaultServeMux``;
* ``param:<func>#<i>`` -- the i-th parameter of a function (``<func>`` is a
  function key), ``ret:<func>`` -- what a function returns;
* ``field:<name>`` -- a struct field (program-wide, by name),
  ``pvar:<dir>:<name>`` -- a package-level variable;
* function keys: ``func:<dir>:<name>`` (a function of the package in
  ``<dir>``), ``func:@<import path>:<name>`` (one of an imported package,
  resolved when linking), ``method:<name>`` (any method of that name),
  ``type:<name>`` (the ``ServeHTTP`` of a named type), ``lit:<file>:<line>:<col>``
  (a function literal).

:class:`Edge` says that a router key is reachable below another one with a
path prefix (sub-routers, groups, mounts, a router handed to a function),
so that absolute route paths are computed when the whole program is known.

:func:`to_json` / :func:`from_json` convert facts to plain JSON data and
back (with type checks: a cache entry is not trusted) for the result cache.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, fields, is_dataclass

from golint_traefik.finding import Span

FORMAT = 2  # bump when a record changes shape


@dataclass(frozen=True)
class Part:
    """One piece of a string value: a literal, or something the deployment may override.

    ``kind`` is ``lit`` (``text`` is the value), ``env`` (environment variable
    ``name``; ``text`` its default in the code, None when there is none),
    ``flag`` (command-line flag ``name`` with default ``text``), ``field`` (a
    struct field ``name`` of another package, resolved through that package's
    :attr:`PackageFacts.tagged` when linking) or ``unknown``.
    """

    kind: str
    text: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Value:
    """A string the code computes: the concatenation of its parts (``":" + os.Getenv("PORT")``)."""

    parts: tuple[Part, ...]
    span: Span

    @property
    def known(self) -> bool:
        return all(p.kind != "unknown" for p in self.parts)

    def describe(self) -> str:
        """The code's value as people read it: ``:8080``, ``:$PORT (default 8080)``."""
        out = []
        for p in self.parts:
            if p.kind == "lit":
                out.append(p.text or "")
            elif p.kind == "env":
                out.append(f"${p.name}" + (f" (default {p.text})" if p.text is not None else ""))
            elif p.kind == "flag":
                out.append(f"-{p.name}" + (f" (default {p.text})" if p.text is not None else ""))
            elif p.kind == "field":
                out.append(f"<{p.name}>")
            else:
                out.append("?")
        return "".join(out)


@dataclass(frozen=True)
class Duration:
    """A server timeout: ``seconds`` (None when the expression is not a constant)."""

    name: str  # ReadTimeout, WriteTimeout, IdleTimeout, ReadHeaderTimeout
    seconds: float | None
    span: Span


@dataclass(frozen=True)
class Server:
    """A place where the program listens for HTTP.

    ``via`` is what starts it (``http.ListenAndServe``, ``http.Server``,
    ``net.Listen``, ``gin.Run``, ``echo.Start``, ``fiber.Listen``); ``addr`` the
    address (None: not given, e.g. an ``http.Server`` without ``Addr`` started
    with ``Serve``); ``handler`` a router key with a path prefix
    (``root:...``), ``default`` for ``http.DefaultServeMux``, ``opaque`` for a
    handler that is not a router we know (it may answer every path), or None
    when unknown.  ``timeouts`` are those the code sets; a timeout left out
    is the library's default (none, for net/http and fiber).
    """

    via: str
    span: Span
    addr: Value | None
    handler: str | None
    timeouts: tuple[Duration, ...] = ()
    library: str = "net/http"


@dataclass(frozen=True)
class Route:
    """One handler registration.

    ``base`` + ``prefix`` say which router and below which path (``prefix``
    from groups in the same function: ``r.Group("/api")``); ``pattern`` is the
    path as the library writes it (None: not a constant), in ``syntax``
    (``servemux``, ``servemux-legacy`` before Go 1.22, ``gorilla``, ``chi``,
    ``gin``, ``echo``, ``fiber``).  ``methods`` empty means any method.
    ``subtree``: the registration also answers every path below the pattern
    (``PathPrefix``, ``Static``, a ServeMux pattern ending in ``/``).
    ``catch_all``: a not-found handler (``NoRoute``, ``NotFound``), which
    answers every path.  ``handler`` is a function key (see the module
    docstring) when the handler can be named.
    """

    base: str
    prefix: str
    pattern: str | None
    syntax: str
    methods: tuple[str, ...]
    span: Span
    subtree: bool = False
    catch_all: bool = False
    handler: str | None = None


@dataclass(frozen=True)
class Edge:
    """Router ``child`` is reachable below router ``parent`` at ``prefix`` (relative to ``parent``)."""

    parent: str
    prefix: str
    child: str
    span: Span | None = None


@dataclass(frozen=True)
class Blocking:
    """Something a handler does that can wait without bound.

    ``kind``: ``receive`` (channel receive outside a ``select`` with a default
    or a timeout), ``lock`` (``Lock``/``RLock``), ``wait`` (``WaitGroup.Wait``),
    ``http`` (an outbound request with neither a context nor a client
    timeout), ``db`` (``sql.DB.Ping`` and friends without a context).
    ``via`` names the function of the package it happens in, when that is
    not the handler itself.
    """

    kind: str
    what: str
    span: Span
    via: str | None = None


@dataclass(frozen=True)
class Handler:
    """The blocking work of a handler function (see :class:`Blocking`)."""

    key: str
    span: Span
    blocking: tuple[Blocking, ...] = ()


@dataclass(frozen=True)
class PackageFacts:
    """What one Go package (directory) contributes to the cross-checks."""

    directory: str  # absolute
    display_dir: str  # as shown in findings (relative to the cwd)
    package: str
    files: tuple[str, ...]  # display paths of the non-test Go files
    imports: tuple[str, ...] = ()  # import paths of those files
    routes: tuple[Route, ...] = ()
    edges: tuple[Edge, ...] = ()
    servers: tuple[Server, ...] = ()
    handlers: tuple[Handler, ...] = ()
    # Functions that return a handler literal: function key -> handler key of the literal.
    returns: tuple[tuple[str, str], ...] = ()
    main_span: Span | None = None  # func main, for messages
    # Struct fields with configuration tags: (field, env var or None, default or None, flag or None).
    tagged: tuple[tuple[str, str | None, str | None, str | None], ...] = ()

    @property
    def is_main(self) -> bool:
        return self.package == "main"

    @property
    def relevant(self) -> bool:
        return bool(self.is_main or self.routes or self.edges or self.servers or self.handlers)


# ------------------------------------------------------------------- JSON


def to_json(obj):
    """Facts as plain JSON data (lists, strings, numbers, null)."""
    if isinstance(obj, Span):
        return [obj.path, obj.line, obj.col, obj.end_line, obj.end_col]
    if is_dataclass(obj):
        return [to_json(getattr(obj, f.name)) for f in fields(obj)]
    if isinstance(obj, tuple):
        return [to_json(x) for x in obj]
    if obj is None or type(obj) in (str, int, float, bool):
        return obj
    raise TypeError(f"cannot encode {type(obj).__name__}")


def from_json(data, cls=None):
    """The :class:`PackageFacts` (or ``cls``) that :func:`to_json` produced; ValueError when malformed."""
    return _decode(cls or PackageFacts, data)


_HINTS: dict[type, dict] = {}


def _hints(cls: type) -> dict:
    h = _HINTS.get(cls)
    if h is None:
        h = _HINTS[cls] = typing.get_type_hints(cls)
    return h


def _decode(tp, v):
    if tp is Span:
        if type(v) is not list or len(v) != 5:
            raise ValueError("bad span")
        path, *nums = v
        if type(path) is not str or any(type(n) is not int for n in nums):
            raise ValueError("bad span")
        return Span(path, *nums)
    if isinstance(tp, type) and is_dataclass(tp):
        fs = fields(tp)
        if type(v) is not list or len(v) != len(fs):
            raise ValueError(f"bad {tp.__name__}")
        hints = _hints(tp)
        return tp(**{f.name: _decode(hints[f.name], x) for f, x in zip(fs, v)})
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        if v is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _decode(inner[0], v)
    if origin is tuple:
        if type(v) is not list:
            raise ValueError("bad tuple")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], x) for x in v)
        if len(args) != len(v):
            raise ValueError("bad tuple")
        return tuple(_decode(a, x) for a, x in zip(args, v))
    if tp is float:
        if type(v) not in (int, float):
            raise ValueError("bad float")
        return float(v)
    if tp in (str, int, bool):
        if type(v) is not tp:
            raise ValueError(f"bad {tp.__name__}")
        return v
    raise ValueError(f"cannot decode {tp!r}")
