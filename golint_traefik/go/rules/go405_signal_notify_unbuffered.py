"""GO405 signal-notify-unbuffered: ``signal.Notify`` on a channel without a buffer.

The signal package never blocks when it delivers: if nobody is receiving at
that instant, the signal is dropped.  ``c := make(chan os.Signal)`` followed by
``signal.Notify(c, ...)`` loses every signal that arrives while the receiver
is busy -- or before it first reaches ``<-c``.  The channel is known by its
``make`` (in the call, or as the initialiser of the local or package variable
passed, or assigned to it in the same function).
"""

from __future__ import annotations

from golint_traefik.go import decls, httpfacts, imports, scope
from golint_traefik.registry import go_rule


@go_rule("GO405")
def check(p) -> None:
    f = p.file
    if not imports.imports_any(f, httpfacts.SIGNAL):
        return
    for c in imports.calls(f, httpfacts.SIGNAL, ("Notify",)):
        args = c.call.child_by_field_name("arguments").named_children
        if not args:
            continue
        made = _made_by(p, scope.unparen(args[0]))
        if made is None or not _unbuffered(f, made):
            continue
        related = [] if scope.within(made, c.call) else [(made, "the channel is made here without a buffer")]
        p.report(args[0], "signal.Notify is given an unbuffered channel; a signal that arrives while nobody is"
                 " receiving is dropped", fix=_fix(f, made), related=related)


def _made_by(p, expr):
    """The ``make(chan T[, n])`` call that created the channel ``expr``, when it is known."""
    f = p.file
    if _is_make(f, expr):
        return expr
    if expr.type != "identifier":
        return None
    b = scope.resolve(f, expr)
    owner = f
    if b is None:
        found = decls.package_var(p.package, f, f.text(expr))
        if found is None:
            return None
        owner, b = found
        if owner is not f:  # a node of another file cannot be reported here
            return None
    made = scope.unparen(b.value) if b.value is not None else None
    if b.func is None:
        return made if made is not None and _is_make(owner, made) else None
    # c = make(chan os.Signal) after the declaration: the last assignment before the call wins.
    for u in scope.uses(f, b):
        if u.node.start_byte > expr.start_byte or u.kind != "write":
            continue
        if u.closure is not None:
            return None
        lst = u.node.parent
        stmt = lst.parent if lst is not None else None
        if stmt is None or stmt.type != "assignment_statement" or stmt.child_by_field_name("left") != lst:
            return None
        right = stmt.child_by_field_name("right")
        if right is None or right.named_child_count != lst.named_child_count:
            return None
        made = scope.unparen(right.named_children[list(lst.named_children).index(u.node)])
    return made if made is not None and _is_make(f, made) else None


def _is_make(f, node) -> bool:
    if node.type != "call_expression":
        return False
    fn = node.child_by_field_name("function")
    args = node.child_by_field_name("arguments")
    return fn is not None and fn.type == "identifier" and f.text(fn) == "make" and scope.resolve(f, fn) is None \
        and args is not None and args.named_child_count >= 1 and args.named_children[0].type == "channel_type"


def _unbuffered(f, make) -> bool:
    args = make.child_by_field_name("arguments").named_children
    if len(args) == 1:
        return True
    size = scope.unparen(args[1])
    return len(args) == 2 and size.type == "int_literal" and f.text(size).replace("_", "").strip("0") == ""


def _fix(f, make) -> str:
    typ = f.text(make.child_by_field_name("arguments").named_children[0])
    return f"give the channel a buffer: make({typ}, 1)"
