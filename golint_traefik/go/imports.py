"""Which package an identifier, call or type refers to, from the import block alone.

``context.WithCancel(...)`` is a call into package ``context`` only if the file
imports ``"context"`` under the name ``context`` (or an alias) and no local
declaration shadows that name at the call; ``WithCancel(...)`` is one if the
file dot-imports ``"context"``.  Rules ask :func:`calls` for the calls they
care about and get only the ones that really go to the package.
"""

from __future__ import annotations

from typing import Iterable, Iterator, NamedTuple

from golint_traefik.go.scope import resolve
from golint_traefik.go.source import GoFile, Node

# Import paths that name the same API (x/net/context re-exports the standard package).
CONTEXT = ("context", "golang.org/x/net/context")
SYNC = ("sync",)
TIME = ("time",)


class PkgCall(NamedTuple):
    """A call of ``path.name(...)``; ``callee`` is the selector or (dot import) identifier."""

    call: Node
    path: str
    name: str
    callee: Node

    @property
    def qualified(self) -> str:
        """``pkg.Name`` as the docs spell it (last path element of the import path)."""
        return f"{self.path.rsplit('/', 1)[-1]}.{self.name}"


def local_names(file: GoFile, paths: Iterable[str]) -> dict[str, str]:
    """Local name -> import path, for the given import paths."""
    wanted = set(paths)
    return {n: p for n, p in file.imports.items() if p in wanted}


def dot_imported(file: GoFile, paths: Iterable[str]) -> str | None:
    return next((p for p in paths if p in file.dot_imports), None)


def imports_any(file: GoFile, paths: Iterable[str]) -> bool:
    """Whether the file imports one of ``paths`` under a name or with ``.``: a dictionary lookup, the
    cheapest test a rule about a package's API can start with."""
    used = file.used_imports
    return any(p in used for p in paths)


def package_of(file: GoFile, ident: Node, paths: Iterable[str]) -> str | None:
    """The import path ``ident`` (an operand like ``context`` in ``context.X``) names, if any."""
    path = local_names(file, paths).get(file.text(ident))
    if path is None or resolve(file, ident) is not None:
        return None
    return path


def calls(file: GoFile, paths: Iterable[str], names: Iterable[str], node: Node | None = None) -> Iterator[PkgCall]:
    """Calls of any of ``names`` from the package(s) ``paths``, in source order."""
    paths, names = tuple(paths), tuple(sorted(names))
    if not imports_any(file, paths):
        return
    dot = dot_imported(file, paths)
    # The calls are found once per file and name set (rules call this per node), by name in the text.
    found: list = file.selector_calls(names, node)
    if dot is not None:  # `After(d)` as well as `time.After(d)`
        found = sorted([*found, *file.bare_calls(names, node)], key=lambda c: (c[0].start_byte, -c[0].end_byte))
    for call, *rest in found:
        if len(rest) == 1:  # a plain identifier: the dot-imported function unless something here declares it
            fn = rest[0]
            if resolve(file, fn) is None:
                yield PkgCall(call, dot, file.text(fn), fn)
            continue
        operand, fn = rest
        if operand.type != "identifier":
            continue
        path = package_of(file, operand, paths)
        if path is not None:
            yield PkgCall(call, path, file.text(fn), fn.parent)


def is_type(file: GoFile, node: Node | None, paths: Iterable[str], name: str, *, pointer: bool | None = None) -> bool:
    """Whether the type expression ``node`` is ``pkg.name`` (``pointer``: True = only ``*T``,
    False = only ``T``, None = either)."""
    if node is None:
        return False
    is_ptr = node.type == "pointer_type"
    if is_ptr:
        node = node.named_children[0] if node.named_child_count else None
        if node is None:
            return False
    if pointer is not None and pointer != is_ptr:
        return False
    paths = tuple(paths)
    if node.type == "qualified_type":
        pkg, tname = node.child_by_field_name("package"), node.child_by_field_name("name")
        return (pkg is not None and tname is not None and file.text(tname) == name
                and local_names(file, paths).get(file.text(pkg)) is not None)
    if node.type == "type_identifier":
        return file.text(node) == name and dot_imported(file, paths) is not None
    return False


def is_constructed(file: GoFile, expr: Node | None, paths: Iterable[str], name: str) -> bool:
    """Whether ``expr`` builds a ``pkg.name`` value: ``T{}``, ``&T{}``, ``new(T)``."""
    if expr is None:
        return False
    if expr.type == "unary_expression" and expr.named_child_count == 1 and file.text(expr).startswith("&"):
        expr = expr.named_children[0]
    if expr.type == "composite_literal":
        return is_type(file, expr.child_by_field_name("type"), paths, name, pointer=False)
    if expr.type == "call_expression":
        fn, args = expr.child_by_field_name("function"), expr.child_by_field_name("arguments")
        if fn is not None and fn.type == "identifier" and file.text(fn) == "new" and args is not None \
                and args.named_child_count == 1:
            return is_type(file, args.named_children[0], paths, name, pointer=False)
    return False
