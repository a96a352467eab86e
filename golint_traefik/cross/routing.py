"""What a Traefik router sends to its backend: the request paths after its middlewares.

A router rule becomes a disjunction of *spaces* (:class:`Space`), one per
``||`` alternative: an exact path (``Path``), a path prefix
(``PathPrefix``), or any path (no path matcher, ``PathRegexp``, a v2
template, anything not worked out).  Negated matchers only narrow a space
and are left out, so a space is never smaller than what Traefik matches.
Each space then goes through the path middlewares of the router, in the
order Traefik runs them (the entrypoint's ``http.middlewares`` first, then
the router's, ``chain`` middlewares expanded): ``stripPrefix``,
``replacePath``, ``replacePathRegex`` (exact paths only), ``addPrefix``;
``stripPrefixRegex`` and a prefix that only partly applies give "any path".

A middleware that cannot be resolved makes the router unknown (None), unless
it is defined outside the linted tree and its name says nothing about paths
(``auth@file`` when no file-provider configuration is in the tree); one
whose name mentions a path (``strip``, ``prefix``, ``path``, ``rewrite``) or
a plugin makes it unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from golint_traefik.finding import Span
from golint_traefik.traefik.model import FOUND, MISSING
from golint_traefik.traefik.resources import MIDDLEWARE, Resource
from golint_traefik.traefik.rulelang import BinOp, Group, Matcher, Not, RouterRule
from golint_traefik.traefik.values import router_entry_points

EXACT, PREFIX, ANY = "exact", "prefix", "any"
_MAX_ALTERNATIVES = 64
_PATHISH = re.compile(r"strip|prefix|path|rewrite|replace", re.I)
_IDENTITY = frozenset(k.lower() for k in (
    "headers", "basicAuth", "digestAuth", "forwardAuth", "rateLimit", "inFlightReq", "ipWhiteList", "ipAllowList",
    "compress", "retry", "circuitBreaker", "buffering", "redirectScheme", "redirectRegex", "errors", "contentType",
    "passTLSClientCert", "grpcWeb", "chain", "encodedCharacters",
))


@dataclass
class Space:
    kind: str  # EXACT | PREFIX | ANY
    path: str = ""
    methods: tuple[str, ...] = ()
    where: Span | None = None  # the path matcher in the rule
    matcher: str = ""  # as written: PathPrefix(`/api`)
    steps: list[str] = field(default_factory=list)  # middlewares that changed the path
    stripped: list[str] = field(default_factory=list)  # prefixes stripPrefix removed

    def describe(self) -> str:
        if self.kind == EXACT:
            return self.path
        if self.kind == PREFIX:
            return self.path + ("…" if not self.path.endswith("/") else "…")
        return "any path"


def _dnf(node, neg: bool = False) -> list[list[tuple[Matcher, bool]]] | None:
    if isinstance(node, Group):
        return _dnf(node.inner, neg)
    if isinstance(node, Not):
        return _dnf(node.operand, not neg)
    if isinstance(node, Matcher):
        return [[(node, neg)]]
    if isinstance(node, BinOp):
        a, b = _dnf(node.left, neg), _dnf(node.right, neg)
        if a is None or b is None:
            return None
        is_and = (node.op == "&&") != neg
        if not is_and:
            out = a + b
        else:
            out = [x + y for x in a for y in b]
        return out if len(out) <= _MAX_ALTERNATIVES else None
    return None


def rule_spaces(rr: RouterRule) -> list[Space] | None:
    """The spaces of a parsed router rule (None when the rule does not parse)."""
    parsed = rr.parsed
    if parsed.error is not None or parsed.tree is None or not parsed.ok:
        return None
    terms = _dnf(parsed.tree)
    if terms is None:
        return [Space(ANY)]
    out: list[Space] = []
    for term in terms:
        alts: list[list[tuple[str, str, Span, str]]] = [[]]  # each: (kind, path, where, written)
        methods: tuple[str, ...] | None = None
        for m, neg in term:
            name = m.canonical
            if neg:
                continue  # a negated matcher only narrows the space
            if name in ("Path", "PathPrefix"):
                if any("{" in a.value or not a.value.startswith("/") for a in m.args):
                    continue  # a v2 template or an invalid path: taken as any path (a superset)
                opts = [(EXACT if name == "Path" else PREFIX, a.value, rr.span(m.start, m.end), m.source(rr.text))
                        for a in m.args]
                alts = [a + [o] for a in alts for o in opts][:_MAX_ALTERNATIVES]
            elif name == "Method":
                ms = tuple(a.value.upper() for a in m.args)
                methods = ms if methods is None else tuple(x for x in methods if x in ms)
        for alt in alts:
            if not alt:
                out.append(Space(ANY, methods=methods or ()))
                continue
            sp = _intersect(alt)
            if sp is None:
                continue  # contradictory: Path(`/a`) && Path(`/b`)
            sp.methods = methods or ()
            out.append(sp)
    return out


def _intersect(alt: list[tuple[str, str, Span, str]]) -> Space | None:
    exacts = [a for a in alt if a[0] == EXACT]
    prefixes = [a for a in alt if a[0] == PREFIX]
    if exacts:
        p = exacts[0]
        if any(e[1] != p[1] for e in exacts) or any(not p[1].startswith(q[1]) for q in prefixes):
            return None
        return Space(EXACT, p[1], where=p[2], matcher=p[3])
    longest = max(prefixes, key=lambda a: len(a[1]))
    if any(not longest[1].startswith(q[1]) for q in prefixes):
        return None
    return Space(PREFIX, longest[1], where=longest[2], matcher=longest[3])


# ------------------------------------------------------------------ middlewares


def _strip(space: Space, prefixes: list[str]) -> Space:
    for q in prefixes:
        if not q:
            continue
        if space.kind in (EXACT, PREFIX) and space.path.startswith(q):
            rest = space.path[len(q):]
            space.path = rest if rest.startswith("/") else "/" + rest
            space.steps.append(f'stripPrefix "{q}"')
            space.stripped.append(q)
            return space
        if space.kind == PREFIX and q.startswith(space.path):
            space.kind = ANY
            space.steps.append(f'stripPrefix "{q}"')
            return space
    return space


def _go_replacement(repl: str) -> str:
    """Go's ``$1`` / ``${name}`` in a replacement, for Python's ``re.sub``."""
    out = re.sub(r"\$\{(\w+)\}", r"\\g<\1>", repl.replace("\\", "\\\\"))
    return re.sub(r"\$(\w+)", r"\\g<\1>", out)


def apply_middleware(space: Space, kind: str, cfg, name: str) -> Space | None:
    """``space`` after one middleware of type ``kind`` (lower-cased) with options ``cfg`` (a CNode); None: unknown."""
    if space.kind == ANY and kind != "replacepath":
        return space if kind != "plugin" else None
    if kind == "stripprefix":
        node = cfg.get("prefixes") if cfg is not None and cfg.is_map else None
        prefixes = [n.text() or "" for n in (node.as_list() if node is not None else [])]
        return _strip(space, prefixes)
    if kind == "stripprefixregex":
        space.kind = ANY
        space.steps.append(f'stripPrefixRegex "{name}"')
        return space
    if kind == "replacepath":
        node = cfg.get("path") if cfg is not None and cfg.is_map else None
        if node is None or not node.text():
            return None
        space.kind, space.path = EXACT, node.text() or ""
        space.steps.append(f'replacePath "{space.path}"')
        return space
    if kind == "replacepathregex":
        rx = cfg.get("regex") if cfg is not None and cfg.is_map else None
        rp = cfg.get("replacement") if cfg is not None and cfg.is_map else None
        if space.kind != EXACT or rx is None or rp is None:
            space.kind = ANY
            return space
        try:
            pattern = re.compile(rx.text() or "")
            if pattern.search(space.path):
                space.path = pattern.sub(_go_replacement(rp.text() or ""), space.path)
                space.steps.append(f'replacePathRegex "{rx.text()}" -> "{rp.text()}"')
        except (re.error, IndexError):
            space.kind = ANY
        return space
    if kind == "addprefix":
        node = cfg.get("prefix") if cfg is not None and cfg.is_map else None
        if node is None or node.text() is None:
            return None
        q = node.text() or ""
        space.path = q.rstrip("/") + space.path if space.path.startswith("/") else q + space.path
        space.steps.append(f'addPrefix "{q}"')
        return space
    if kind == "plugin":
        return None
    return space


def _middleware_kinds(res: Resource) -> list[tuple[str, object]]:
    n = res.node
    if not n.is_map:
        return []
    return [((e.key or "").lower(), e) for e in n.entries]


def transform(project, router: Resource, spaces: list[Space]) -> list[Space] | None:
    """The spaces after the router's entrypoint and router middlewares; None when a middleware is unknown."""
    refs = []
    eps, _ = router_entry_points(router, project.entry_points())
    for ref in project.refs:
        if ref.owner is None and ref.kind == MIDDLEWARE and ref.entry_point in eps:
            refs.append(ref)
    refs += [r for r in project.refs if r.owner is router and r.kind == MIDDLEWARE and r.via == "middlewares"]
    out = [Space(s.kind, s.path, s.methods, s.where, s.matcher, list(s.steps), list(s.stripped)) for s in spaces]
    for ref in refs:
        out = _through(project, ref, out, 0)
        if out is None:
            return None
    return out


def _through(project, ref, spaces: list[Space], depth: int) -> list[Space] | None:
    if depth > 6:
        return None
    res = project.resolve(ref)
    if res.status != FOUND or not res.targets:
        if res.status == MISSING or _PATHISH.search(ref.name):
            return None
        return spaces  # defined outside the tree, and not about paths by its name
    mw = res.targets[0]
    for kind, cfg in _middleware_kinds(mw):
        if kind == "chain":
            for inner in [r for r in project.refs if r.owner is mw and r.kind == MIDDLEWARE and r.via == "chain"]:
                spaces = _through(project, inner, spaces, depth + 1)
                if spaces is None:
                    return None
            continue
        if kind not in _IDENTITY and kind not in ("stripprefix", "stripprefixregex", "replacepath", "replacepathregex",
                                                  "addprefix"):
            if kind == "plugin" or _PATHISH.search(kind):
                return None
            continue
        new = []
        for s in spaces:
            t = apply_middleware(s, kind, cfg, mw.name)
            if t is None:
                return None
            new.append(t)
        spaces = new
    return spaces
