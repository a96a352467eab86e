"""Package-level declarations across the files of a package: struct fields and variables.

Without a type checker, ``s.wg.Add(1)`` can still be known to call a
``sync.WaitGroup`` method when every struct field named ``wg`` in the package
is declared with that type.  These helpers index the package once
(``package.memo``) and answer such questions.
"""

from __future__ import annotations

from golint_traefik.go.scope import Binding, resolve
from golint_traefik.go.source import GoFile, GoPackage, Node

_FIELDS_Q = "(field_declaration type: (_) @type) @field"
_TOPVARS_Q = "(source_file (var_declaration) @decl)"


def field_types(package: GoPackage, file: GoFile) -> dict[str, list[tuple[GoFile, Node]]]:
    """Field name -> (file, type node) for every struct field declared in ``file``'s package.

    Embedded fields are indexed under their type name (``sync.WaitGroup`` -> ``WaitGroup``).
    """

    def build():
        out: dict[str, list[tuple[GoFile, Node]]] = {}
        for f in _files(package, file):
            for caps in f.matches(_FIELDS_Q):
                field, typ = caps["field"][0], caps["type"][0]
                names = field.children_by_field_name("name")
                if names:
                    keys = [f.text(n) for n in names]
                else:  # embedded
                    base = typ.named_children[0] if typ.type == "pointer_type" and typ.named_child_count else typ
                    tname = base.child_by_field_name("name") if base.type == "qualified_type" else base
                    keys = [f.text(tname)] if tname is not None else []
                for k in keys:
                    out.setdefault(k, []).append((f, typ))
        return out

    return _memo(package, ("decls.fields", file.package_name), build)


def package_var(package: GoPackage, file: GoFile, name: str) -> tuple[GoFile, Binding] | None:
    """The package-level ``var`` named ``name`` in ``file``'s package, with the file declaring it."""

    def build():
        out: dict[str, tuple[GoFile, Binding]] = {}
        for f in _files(package, file):
            for decl in f.captures(_TOPVARS_Q).get("decl", []):
                for ident in _names(decl):
                    b = resolve(f, ident)
                    if b is not None:
                        out.setdefault(b.name, (f, b))
        return out

    return _memo(package, ("decls.vars", file.package_name), build).get(name)


def _names(decl: Node):
    for c in decl.named_children:
        specs = c.named_children if c.type == "var_spec_list" else [c]
        for spec in specs:
            if spec.type == "var_spec":
                yield from spec.children_by_field_name("name")


def _files(package: GoPackage, file: GoFile) -> list[GoFile]:
    files = package.same_package(file) if package is not None else []
    return files if file in files else [file, *files]


def _memo(package: GoPackage | None, key, build):
    if package is None:
        return build()
    try:
        return package.memo[key]
    except KeyError:
        value = package.memo[key] = build()
        return value
