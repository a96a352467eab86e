"""The rule registry.

One rule = one Markdown document in ``rules/`` (front matter in TOML between
``+++`` lines, then the docs) plus, for rules that run, one Python function
registered with :func:`go_rule`, :func:`traefik_rule` or :func:`cross_rule`
under the same id.  The document is the single source for ``rules``,
``explain``, the README rule table and the SARIF rule descriptors.

Numbering (ids are never reused; a retired rule keeps its document with
``retired = true``):

* ``E0xx``   engine diagnostics (unreadable file, parse error, internal error, suppressions)
* ``GO1xx``  Go: channels and goroutines
* ``GO2xx``  Go: sync (WaitGroup, Mutex, Cond)
* ``GO3xx``  Go: timers and contexts
* ``GO4xx``  Go: HTTP, TLS, net and process-level resources
* ``TR1xx``  Traefik: structure and decoding
* ``TR2xx``  Traefik: references between objects
* ``TR3xx``  Traefik: router rules
* ``TR4xx``  Traefik: security
* ``TR5xx``  Traefik: timeouts and health checks
* ``TR6xx``  Traefik: entrypoints and ACME
* ``TR7xx``  Traefik: v2 -> v3 migration and deprecations
* ``XS1xx``  cross-checks between Go services and the Traefik config in front of them
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from golint_traefik.finding import Severity

TARGETS = ("engine", "go", "traefik", "cross")
_ID_RE = re.compile(r"^(E0|GO[1-4]|TR[1-7]|XS[1-9])\d\d$")
_SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_SECTIONS = ("What it finds", "Why it matters", "Example", "Use instead", "How to fix")


@dataclass(frozen=True)
class RuleMeta:
    id: str
    slug: str
    severity: Severity
    target: str
    tags: tuple[str, ...]
    summary: str
    doc: str
    default_enabled: bool = True
    precision: str = "high"
    security_severity: float | None = None
    versions: str | None = None  # Traefik rules: "v2", "v3", "v2,v3"; Go rules: minimum go version etc.
    options: dict = field(default_factory=dict)
    retired: bool = False

    @property
    def title(self) -> str:
        return f"{self.id} {self.slug}"


_UNSET: Callable = lambda p: None  # noqa: E731 - marks a check function not imported yet


class Rule:
    """A rule: its document's metadata and its check function (None for engine diagnostics).

    The function's module is imported on first use of :attr:`check`, so a run imports only the
    rules it runs (a YAML-only run never loads the Go analysis, and a warm run loads no rule).
    """

    __slots__ = ("meta", "_check")

    def __init__(self, meta: RuleMeta, check: Callable | None = _UNSET):
        self.meta = meta
        self._check = None if meta.target == "engine" and check is _UNSET else check

    @property
    def module(self) -> str | None:
        """The module that implements the rule, by the naming convention (``go/rules/go101_slug.py``)."""
        if self.meta.target == "engine":
            return None
        return f"golint_traefik.{self.meta.target}.rules.{self.meta.id.lower()}_{self.meta.slug.replace('-', '_')}"

    @property
    def check(self) -> Callable | None:
        if self._check is _UNSET:
            self._check = _load_check(self)
        return self._check

    @property
    def loaded_check(self) -> Callable | None:
        """The check function if it is imported already, else None (never imports)."""
        return None if self._check is _UNSET else self._check

    def __repr__(self) -> str:
        return f"Rule({self.meta.id} {self.meta.slug})"


class RegistryError(Exception):
    pass


def _rules_dir() -> str:
    here = os.path.dirname(os.path.realpath(__file__))
    for candidate in (os.path.join(here, "_rules"), os.path.join(os.path.dirname(here), "rules")):
        if os.path.isdir(candidate):
            return candidate
    raise RegistryError(f"rule documents not found (looked in {os.path.join(here, '_rules')} and "
                        f"{os.path.join(os.path.dirname(here), 'rules')})")


# The TOML the rule documents use, line by line: `key = "text"` (or 'text'), `key = ["a", "b"]`,
# `key = true`, `key = 5.3`, and a rule's options as `options.name = false` (or a number or string);
# strings without escapes.  Anything else goes to tomllib, whose import alone takes longer than
# reading every document this way.
_PLAIN_STR = r'"([^"\\\x00-\x08\x0a-\x1f\x7f]*)"'  # a basic string: no escapes, no control characters but tab
_PLAIN_LITERAL = r"'([^'\x00-\x08\x0a-\x1f\x7f]*)'"  # a literal string, on one line
_PLAIN_LINE = re.compile(rf'([a-z_]+) = (?:{_PLAIN_STR}|{_PLAIN_LITERAL}|\[((?:{_PLAIN_STR}(?:, {_PLAIN_STR})*)?)\]|'
                         rf'(true|false)|((?:0|[1-9]\d*)\.\d+))')
_PLAIN_OPTION = re.compile(rf'options\.([A-Za-z0-9_-]+) = (?:{_PLAIN_STR}|(true|false)|(-?(?:0|[1-9]\d*)(?:\.\d+)?))')
_PLAIN_ITEM = re.compile(_PLAIN_STR)


def _plain_front_matter(text: str) -> dict | None:
    """The front matter when every line is a plain ``key = value`` of :data:`_PLAIN_LINE` or an
    option of :data:`_PLAIN_OPTION` (parsed as tomllib would, in a tenth of its time and without
    its import: the registry is read on every run), else None."""
    out: dict = {}
    for line in text.split("\n"):
        m = _PLAIN_LINE.fullmatch(line)
        if m is None:
            m = _PLAIN_OPTION.fullmatch(line)
            options = out.setdefault("options", {}) if m is not None else None
            if type(options) is not dict or m.group(1) in options:
                return None
            name, string, boolean, number = m.groups()
            options[name] = string if string is not None else boolean == "true" if boolean is not None else \
                float(number) if "." in number else int(number)
            continue
        if m.group(1) in out:
            return None
        key, string, literal, items, _, _, boolean, number = m.groups()
        out[key] = string if string is not None else literal if literal is not None else \
            _PLAIN_ITEM.findall(items) if items is not None else \
            boolean == "true" if boolean is not None else float(number)
    return out


def parse_rule_doc(text: str, origin: str) -> RuleMeta:
    if not text.startswith("+++\n"):
        raise RegistryError(f"{origin}: rule document must start with a '+++' TOML front matter block")
    end = text.find("\n+++\n", 4)
    if end < 0:
        raise RegistryError(f"{origin}: unterminated '+++' front matter")
    front = _plain_front_matter(text[4:end])
    if front is None:
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - exercised on 3.10 only
            import tomli as tomllib
        try:
            front = tomllib.loads(text[4:end])
        except tomllib.TOMLDecodeError as exc:
            raise RegistryError(f"{origin}: front matter: {exc}") from None
    body = text[end + 5 :].strip() + "\n"
    known = {
        "id", "slug", "severity", "target", "tags", "summary", "default", "precision",
        "security_severity", "versions", "options", "retired",
    }
    unknown = set(front) - known
    if unknown:
        raise RegistryError(f"{origin}: unknown front matter keys: {', '.join(sorted(unknown))}")
    for key in ("id", "slug", "severity", "target", "summary"):
        if key not in front:
            raise RegistryError(f"{origin}: front matter lacks {key!r}")
    rid, slug = front["id"], front["slug"]
    if not _ID_RE.match(rid):
        raise RegistryError(f"{origin}: id {rid!r} does not follow the numbering scheme")
    if not _SLUG_RE.match(slug):
        raise RegistryError(f"{origin}: slug {slug!r} must be lower-case words joined by '-'")
    if front["target"] not in TARGETS:
        raise RegistryError(f"{origin}: target must be one of {TARGETS}")
    if front["target"] != "engine" and not front.get("retired"):
        missing = [s for s in _SECTIONS if f"## {s}" not in body]
        if missing:
            raise RegistryError(f"{origin}: docs lack sections: {', '.join(missing)}")
    return RuleMeta(
        id=rid,
        slug=slug,
        severity=Severity.parse(front["severity"]),
        target=front["target"],
        tags=tuple(front.get("tags", ())),
        summary=front["summary"],
        doc=body,
        default_enabled=bool(front.get("default", True)),
        precision=front.get("precision", "high"),
        security_severity=front.get("security_severity"),
        versions=front.get("versions"),
        options=dict(front.get("options", {})),
        retired=bool(front.get("retired", False)),
    )


_CHECKS: dict[str, Callable] = {}


def _register(target: str, rule_id: str):
    def deco(fn: Callable) -> Callable:
        if rule_id in _CHECKS:
            raise RegistryError(f"rule {rule_id} registered twice")
        fn.__golint_target__ = target  # type: ignore[attr-defined]
        _CHECKS[rule_id] = fn
        return fn

    return deco


def go_rule(rule_id: str):
    """Register ``fn(p: GoPass)``: called once per Go file with the file's package."""
    return _register("go", rule_id)


def traefik_rule(rule_id: str):
    """Register ``fn(p: TraefikPass)``: called once per run with the deployment model."""
    return _register("traefik", rule_id)


def cross_rule(rule_id: str):
    """Register ``fn(p: CrossPass)``: called once per run with the Go and Traefik models."""
    return _register("cross", rule_id)


_RULE_PACKAGES = ("golint_traefik.go.rules", "golint_traefik.traefik.rules", "golint_traefik.cross.rules")


def _load_check(rule: Rule) -> Callable | None:
    """Import the module of ``rule`` and return the function it registered."""
    meta = rule.meta
    if meta.retired:
        return _CHECKS.get(meta.id)
    try:
        importlib.import_module(rule.module)
    except ModuleNotFoundError as exc:
        if exc.name != rule.module:
            raise
        raise RegistryError(f"{meta.id} ({meta.slug}) is documented but has no implementation "
                            f"(expected module {rule.module})") from None
    fn = _CHECKS.get(meta.id)
    if fn is None:
        raise RegistryError(f"{meta.id} ({meta.slug}): module {rule.module} registers no check for it")
    if fn.__golint_target__ != meta.target:  # type: ignore[attr-defined]
        raise RegistryError(f"{meta.id}: documented target {meta.target} but registered as {fn.__golint_target__}")
    return fn


def verify(registry: "Registry") -> None:
    """Import every rule module and check that documents and implementations match one to one.

    Runs are lazy (a rule's module is imported when the rule first runs); the test suite calls
    this so that a document without code, or code without a document, cannot land.
    """
    import pkgutil

    for pkg_name in _RULE_PACKAGES:
        pkg = importlib.import_module(pkg_name)
        for info in pkgutil.iter_modules(pkg.__path__):
            importlib.import_module(f"{pkg_name}.{info.name}")
    for rule in registry:
        if rule.meta.target == "engine":
            if rule.meta.id in _CHECKS:
                raise RegistryError(f"{rule.meta.id} is an engine diagnostic and cannot have a check function")
            continue
        fn = _load_check(rule)
        if fn is not None and fn.__module__ != rule.module:
            raise RegistryError(f"{rule.meta.id} is registered in {fn.__module__}, expected {rule.module}")
    for rid in _CHECKS:
        if registry.get(rid) is None:
            raise RegistryError(f"{rid} is implemented but has no document in rules/")


@lru_cache(maxsize=1)
def load_registry() -> "Registry":
    metas: dict[str, RuleMeta] = {}
    slugs: dict[str, str] = {}
    where = _rules_dir()
    for name in sorted(n for n in os.listdir(where) if n.endswith(".md")):
        if name.upper() == "README.MD":
            continue
        with open(os.path.join(where, name), encoding="utf-8") as fh:
            meta = parse_rule_doc(fh.read(), name)
        if meta.id in metas:
            raise RegistryError(f"{name}: duplicate rule id {meta.id}")
        if meta.slug in slugs:
            raise RegistryError(f"{name}: slug {meta.slug!r} already used by {slugs[meta.slug]}")
        expected = f"{meta.id}-{meta.slug}.md"
        if name != expected:
            raise RegistryError(f"{name}: file must be named {expected}")
        metas[meta.id] = meta
        slugs[meta.slug] = meta.id
    return Registry({rid: Rule(meta) for rid, meta in metas.items()})


class Registry:
    def __init__(self, rules: dict[str, Rule]):
        self._rules = dict(sorted(rules.items(), key=lambda kv: _id_sort_key(kv[0])))
        self._by_slug = {r.meta.slug: r for r in self._rules.values()}

    def __iter__(self):
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def get(self, key: str) -> Rule | None:
        """Look a rule up by id (case-insensitive) or slug."""
        return self._rules.get(key.upper()) or self._by_slug.get(key.lower())

    def meta(self, rule_id: str) -> RuleMeta:
        return self._rules[rule_id].meta

    def expand(self, selectors) -> set[str]:
        """Ids matched by selectors: full ids, id prefixes (``GO1``, ``TR``, ``ALL``) or slugs."""
        out: set[str] = set()
        for raw in selectors:
            sel = raw.strip()
            if not sel:
                continue
            rule = self.get(sel)
            if rule is not None:
                out.add(rule.meta.id)
                continue
            prefix = sel.upper()
            matched = {rid for rid in self._rules if prefix == "ALL" or rid.startswith(prefix)}
            if not matched:
                raise KeyError(sel)
            out |= matched
        return out

    def default_selection(self) -> set[str]:
        return {r.meta.id for r in self if r.meta.default_enabled and not r.meta.retired}


def _id_sort_key(rule_id: str) -> tuple:
    m = re.match(r"([A-Z]+)(\d+)", rule_id)
    order = {"E": 0, "GO": 1, "TR": 2, "XS": 3}
    return (order.get(m.group(1), 9), int(m.group(2))) if m else (9, 0)
