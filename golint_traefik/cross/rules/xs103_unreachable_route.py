"""XS103 unreachable-route: a router whose paths no Go handler serves (and, optionally, handlers no router reaches)."""

from __future__ import annotations

from golint_traefik.cross.common import crd_target, health_checks, judgeable, related_routes, served_paths, service_targets
from golint_traefik.cross.model import RoutePath
from golint_traefik.cross.routing import ANY, EXACT, Space, rule_spaces, transform
from golint_traefik.cross.run import CrossPass
from golint_traefik.finding import Severity
from golint_traefik.registry import cross_rule
from golint_traefik.traefik.rulelang import router_rules


def reaches(s: Space, rp: RoutePath) -> bool:
    """Whether some request of the space is answered by the route.

    A route that starts with a prefix ``stripPrefix`` removed is reached only by
    clients that repeat the prefix (``/api/api/users``): that does not count.
    """
    if s.stripped and doubled(s, rp):
        return False
    if s.methods and not any(rp.method_ok(m) for m in s.methods):
        return False
    if s.kind == ANY:
        return True
    if s.kind == EXACT:
        return rp.answers(s.path)
    return rp.answers_prefix(s.path)


def doubled(s: Space, rp: RoutePath) -> bool:
    path = rp.text.split(" ")[-1]
    return not rp.unknown_prefix and any(q and (path == q or path.startswith(q.rstrip("/") + "/")) for q in s.stripped)


def _describe(spaces: list[Space]) -> str:
    parts = []
    for s in spaces:
        text = f"{s.matcher}"
        if s.methods:
            text += f" ({'/'.join(s.methods)})"
        if s.steps:
            text += f", sent as {s.describe()} after {', '.join(s.steps)}"
        parts.append(text)
    return " or ".join(parts)


@cross_rule("XS103")
def check(p: CrossPass) -> None:
    m = p.model
    programs: dict[int, dict] = {}
    for rr in router_rules(m.project):
        router = rr.router
        if rr.protocol != "http" or not router.active:
            continue
        targets = m.router_service_links(router)
        if not targets:
            continue
        spaces = rule_spaces(rr)
        if spaces is not None:
            spaces = transform(m.project, router, spaces)
        reported = set()
        for res, link, item in targets:
            prog = link.program
            entry = programs.setdefault(id(prog), {"link": link, "routers": [], "unknown": False})
            if spaces is None:
                entry["unknown"] = True
                continue
            entry["routers"].append((rr, spaces))
            if id(prog) in reported or any(s.kind == ANY for s in spaces) or not spaces:
                continue
            if res is not None:
                ports = {t.port for t in service_targets(m, res, link)}
            else:
                t = crd_target(item, link) if item is not None else None
                ports = {t.port} if t is not None else set()
            if not judgeable(link, ports.pop() if len(ports) == 1 else None):
                continue
            if any(reaches(s, rp) for s in spaces for rp in prog.routes):
                continue
            reported.add(id(prog))
            first = next((s for s in spaces if s.where is not None), spaces[0])
            strips = sorted({q for s in spaces for q in s.stripped
                             if any(doubled(Space(s.kind, s.path, stripped=[q]), rp) for rp in prog.routes)})
            why = (f"; stripPrefix removes the {' and '.join(repr(q).replace(chr(39), chr(34)) for q in strips)} "
                   f"its routes start with") if strips else ""
            p.report(
                first.where or rr.node,
                f"{router.describe()} forwards {_describe(spaces)} to the Go program in {prog.label}, but no handler "
                f"there serves such a path (it routes {served_paths(prog.routes)}){why}: every request the router "
                f"accepts gets 404 Not Found",
                related=[*related_routes(prog.closest_routes(first.path)),
                         *([(prog.anchor, f"linked through {link.how}")] if prog.anchor else [])],
            )
    if p.options.get("unreached_handlers"):
        _unreached(p, programs)


def _unreached(p: CrossPass, programs: dict[int, dict]) -> None:
    """Routes of a program that none of the routers in front of it can reach (a note)."""
    hcs = health_checks(p.model)
    for entry in programs.values():
        link = entry["link"]
        prog = link.program
        routers = entry["routers"]
        if entry["unknown"] or not routers or any(s.kind == ANY for _, spaces in routers for s in spaces):
            continue
        if not judgeable(link):
            continue
        checks = [h.path for h in hcs if h.link.program is prog]
        names = ", ".join(sorted({rr.router.describe() for rr, _ in routers}))
        for rp in prog.routes:
            if rp.unknown_prefix or rp.route.catch_all:
                continue
            if any(reaches(s, rp) for _, spaces in routers for s in spaces):
                continue
            if any(rp.answers(path) for path in checks):
                continue
            p.report(
                rp.route.span,
                f"{rp.text} is not reachable through Traefik: no router in front of the Go program in {prog.label} "
                f"({names}) forwards a path it matches",
                related=[(rr.node, f"rule of {rr.router.describe()}") for rr, _ in routers[:3]],
                severity=Severity.NOTE,
            )
