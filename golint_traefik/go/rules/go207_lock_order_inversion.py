"""GO207 lock-order-inversion: two paths of a package take the same two mutexes in opposite orders.

One goroutine holds A and waits for B while another holds B and waits for A:
both wait forever.  Mutexes are identified across functions by
:func:`~golint_traefik.go.syncfacts.lock_name` -- fields of the receiver
(``T.a``, ``T.b``: the same instance in both methods) and package-level
variables; an order is "A then B" when ``B`` is locked, directly or on the
main path of a same-receiver method or package function called there, while
every path holds ``A``.
"""

from __future__ import annotations

from golint_traefik.go import syncfacts
from golint_traefik.registry import go_rule


def _conflicts(m1: str, m2: str) -> bool:
    return m1 == "w" or m2 == "w"


def _pos(e):
    return (e.file.path, e.site.start_byte)


@go_rule("GO207")
def check(p) -> None:
    f = p.file
    if not f.has(b"Lock()"):
        return
    edges = syncfacts.order_edges(p.package, f)
    done = set()
    for (a, b), ab in edges.items():
        pair = tuple(sorted((a, b)))
        if pair in done or (b, a) not in edges:
            continue
        best = None
        for e1 in ab:
            for e2 in edges[(b, a)]:
                # e1 holds a, wants b; e2 holds b, wants a.  Each must block on the other's lock.
                if not (_conflicts(e1.first_mode, e2.second_mode) and _conflicts(e2.first_mode, e1.second_mode)):
                    continue
                if e1.gates & e2.gates:
                    continue  # a common lock held around both orders serialises them
                later, other = (e1, e2) if _pos(e1) >= _pos(e2) else (e2, e1)
                if best is None or _pos(later) > _pos(best[0]):
                    best = (later, other)
        done.add(pair)
        if best is None or best[0].file is not f:
            continue
        e, o = best
        p.report(e.site, _message(e, o), fix=f"always lock {_show(e.first)} and {_show(e.second)} in one order "
                                             "(document it next to the fields)",
                 related=_related(f, e, o))


def _show(name: str) -> str:
    if name.startswith("::"):
        return name[2:]
    return name if "." in name else f"{name} (its embedded mutex)"


def _line(node) -> int:
    return node.start_point[0] + 1


def _where(e) -> str:
    name = e.func.child_by_field_name("name")
    fn = e.file.text(name) if name is not None else "a function literal"
    return f"{fn} ({e.file.path.rsplit('/', 1)[-1]}:{_line(e.site)})"


def _message(e, o) -> str:
    via = f" (through {' -> '.join(e.chain)})" if e.chain else ""
    return (f"{_show(e.second)} is locked{via} while {_show(e.first)} is held, but {_where(o)} locks "
            f"{_show(o.second)} while holding {_show(o.first)}: two goroutines taking them in opposite orders "
            "deadlock")


def _related(f, e, o):
    out = [(e.held_site, f"{_show(e.first)} is locked here first")]
    if o.file is f:
        out.append((o.held_site, f"the other order: {_show(o.first)} is locked here first"))
        out.append((o.site, f"... then {_show(o.second)} here"))
    return out
