"""The option catalog (golint_traefik/traefik/catalog.py and data/options-v*.txt).

Three kinds of tests:

* the API on small inputs: lookups, suggestions, Traefik's value decoding;
* the catalog against Traefik's generated reference files, which list every
  option with a sample value.  They are not part of this repository; the
  test reads them from ``../shared/corpus/traefik-docs/`` (a copy of
  ``docs/content`` of traefik/traefik: v3 under ``reference/``, v2.11 under
  ``v2/reference/`` when present) and skips when they are absent;
* the catalog against SchemaStore's Traefik schemas in ``../shared/schemas``:
  every key a schema knows must be in the catalog (or listed below as known
  schema-only); keys the schemas lack are reported, not failed (the schemas
  lag Traefik).
"""

from __future__ import annotations

import json

import pytest

from conftest import shared_path
from golint_traefik.finding import Span
from golint_traefik.traefik import catalog
from golint_traefik.traefik.tomlload import load_toml
from golint_traefik.traefik.tree import build_dotted
from golint_traefik.traefik.yamlload import load_documents

STATIC, DYNAMIC = catalog.STATIC, catalog.DYNAMIC


def _yaml(text: str):
    return load_documents("t.yml", text)[0].root


# ------------------------------------------------------------------ lookups


def test_every_version_and_kind_loads():
    for version in catalog.VERSIONS:
        for kind in (STATIC, DYNAMIC):
            assert len(list(catalog.options(version, kind))) > 300
    assert "spiffe" in catalog.root_keys(3, STATIC) and "spiffe" not in catalog.root_keys(2, STATIC)
    assert "pilot" in catalog.root_keys(2, STATIC) and "pilot" not in catalog.root_keys(3, STATIC)
    assert catalog.root_keys(3, DYNAMIC) == ["http", "tcp", "udp", "tls"]


def test_lookup_matches_keys_case_insensitively_and_names_freely():
    a = catalog.lookup(3, STATIC, ["entrypoints", "web", "TRANSPORT", "respondingTimeouts", "readtimeout"])
    b = catalog.option(3, STATIC, "entryPoints.<name>.transport.respondingTimeouts.readTimeout")
    assert a is b and a.type == "duration" and a.default == "60"
    assert a.path == "entryPoints.<name>.transport.respondingTimeouts.readTimeout" and a.name == "readTimeout"
    assert catalog.lookup(3, STATIC, ["entryPoints", "web", "adress"]) is None


def test_lookup_lists_maps_and_raw_options():
    url = catalog.lookup(3, DYNAMIC, ["http", "services", "s", "loadBalancer", "servers", 0, "url"])
    assert url is catalog.lookup(3, DYNAMIC, "http.services.s.loadBalancer.servers[0].url".split("."))
    assert url is catalog.option(3, DYNAMIC, "http.services.<name>.loadBalancer.servers[].url")
    servers = catalog.option(3, DYNAMIC, "http.services.<name>.loadBalancer.servers")
    assert servers.is_object_list and servers.item.is_struct and servers.slice_name == "server"
    headers = catalog.option(3, DYNAMIC, "http.middlewares.<name>.headers.customRequestHeaders")
    assert headers.type == "map:string" and catalog.lookup(3, DYNAMIC, ["http", "middlewares", "m", "headers",
                                                                          "customRequestHeaders", "X-Any"]).type == "string"
    plugin = catalog.lookup(3, DYNAMIC, "http.middlewares.m.plugin.geoblock.countries.deep".split("."))
    assert plugin is not None and plugin.is_raw
    assert catalog.option(3, STATIC, "entryPoints.<name>.http.middlewares").type == "list:string"


def test_labels_write_lists_of_objects_with_their_singular_name():
    port = catalog.lookup(3, DYNAMIC, "http.services.s.loadbalancer.server.port".split("."), catalog.LABELS)
    assert port is not None and port.name == "Port"
    assert catalog.lookup(3, DYNAMIC, "http.services.s.loadbalancer.servers.port".split("."), catalog.LABELS) is None
    # files use the field name
    assert catalog.lookup(3, DYNAMIC, "http.services.s.loadbalancer.server".split(".")) is None


def test_allow_empty_and_ignored_flags():
    assert catalog.option(3, STATIC, "api").allow_empty()
    assert catalog.option(3, STATIC, "providers.docker").allow_empty(catalog.LABELS)
    assert not catalog.option(3, STATIC, "providers.file").allow_empty()
    assert not catalog.option(3, DYNAMIC, "http.middlewares").allow_empty()
    scheme = catalog.option(3, DYNAMIC, "http.services.<name>.loadBalancer.servers[].Scheme")
    assert scheme.ignored(catalog.FILE) and not scheme.ignored(catalog.LABELS)
    assert catalog.option(3, DYNAMIC, "tls.options").ignored(catalog.LABELS)


def test_children_and_suggestions():
    names = {o.name for o in catalog.children(3, STATIC, ["entryPoints", "web"])}
    assert {"address", "transport", "http", "forwardedHeaders"} <= names
    assert [o.path for o in catalog.children(3, DYNAMIC, ["http", "routers"])] == ["http.routers.<name>"]
    router = catalog.option(3, DYNAMIC, "http.routers.<name>")
    assert catalog.suggest(router, "entrypoint") == "entryPoints"
    assert catalog.suggest(router, "certResolver") == "tls.certResolver"
    assert catalog.suggest(catalog.option(3, DYNAMIC, "tls"), "curvePreferences") == "options.<name>.curvePreferences"
    assert catalog.suggest(catalog.root(3, STATIC), "entry_points") == "entryPoints"
    assert catalog.suggest(catalog.root(3, DYNAMIC), "routers") == "http.routers"
    lb = catalog.option(3, DYNAMIC, "http.services.<name>.loadBalancer")
    assert catalog.suggest(lb, "servers", catalog.LABELS) == "server"
    assert catalog.suggest(router, "zzzz") is None


# ------------------------------------------------------------------- values


@pytest.mark.parametrize("text,seconds", [
    ("30", 30.0), ("-5", -5.0), ("+5", 5.0), ("0", 0.0), ("30s", 30.0), ("1m30s", 90.0), ("1.5h", 5400.0),
    ("300ms", 0.3), (".5s", 0.5), ("1.s", 1.0), ("1h2m3.5s", 3723.5), ("2\u00b5s", 2e-6), ("-1m", -60.0),
    ("1.5", None), ("30sec", None), ("5 s", None), ("", None), ("s", None), ("1S", None), (" 30s", None),
    ("3min", None), ("1d", None),
])
def test_parse_duration_follows_paerser_and_go(text, seconds):
    got = catalog.parse_duration(text)
    assert got == pytest.approx(seconds) if seconds is not None else got is None


def test_parse_duration_of_yaml_numbers():
    assert catalog.parse_duration(30) == 30.0
    assert catalog.parse_duration(2.0) == 2.0  # YAML 2.0 reaches Traefik as "2"
    assert catalog.parse_duration(1.5) is None  # ... and 1.5 as "1.500000"
    assert catalog.go_number_text(1.5) == "1.500000" and catalog.go_number_text(1e3) == "1000"


@pytest.mark.parametrize("type_,text,ok", [
    ("bool", "true", True), ("bool", "T", True), ("bool", "1", True), ("bool", "yes", False), ("bool", "on", False),
    ("int", "42", True), ("int", "-1", True), ("int", "4.2", False), ("int", "10MB", False),
    ("uint", "3", True), ("uint", "-3", False), ("float", "0.5", True), ("float", "1e3", True), ("float", "x", False),
    ("duration", "10s", True), ("duration", "10", True), ("duration", "ten", False), ("string", "anything", True),
])
def test_scalar_problem(type_, text, ok):
    assert (catalog.scalar_problem(type_, text) is None) is ok


def test_shape_and_empty_problems():
    root = _yaml("""
http:
  routers:
    rule: Host(`x`)
  middlewares: {}
  services:
    a:
      loadBalancer:
        servers: [http://a]
""")
    found = {}
    for v in catalog.walk(3, DYNAMIC, root):
        shape = catalog.shape_problem(v.info, v.node, item=v.parent.is_named_map) if v.info else None
        empty = catalog.empty_problem(v.info, v.node) if v.info and not v.parent.is_named_map else None
        if shape or empty:
            found[v.dotted] = (shape, empty)
    assert set(found) == {"http.routers.rule", "http.middlewares", "http.services.a.loadBalancer.servers"}
    assert not found["http.routers.rule"][0].fatal  # Traefik defines an empty router named "rule"
    assert found["http.middlewares"][1] == "is empty"
    assert "reads no item" in found["http.services.a.loadBalancer.servers"][0].text


def test_null_sections_are_dropped():
    root = _yaml("api:\nproviders:\n  docker:\n")
    visits = {v.dotted: v for v in catalog.walk(3, STATIC, root)}
    assert "stays disabled" in catalog.null_problem(visits["api"].info, visits["api"].node)
    assert "leaving it empty" in catalog.empty_problem(visits["providers"].info, visits["providers"].node)


def test_walk_reports_unknown_keys_and_stops_below_them():
    root = _yaml("entryPoints:\n  web:\n    adress: ':80'\n    bogus:\n      deeper: 1\n")
    unknown = [v.dotted for v in catalog.walk(3, STATIC, root) if v.info is None]
    assert unknown == ["entryPoints.web.adress", "entryPoints.web.bogus"]


def test_label_filters_follow_paerser():
    assert catalog.label_decoded("traefik.http.routers.a.rule")
    assert catalog.label_decoded("TRAEFIK.HTTP.routers.a.rule")  # compared case-insensitively ...
    assert catalog.label_decoded("traefik.https.routers.a.rule")  # ... and with no dot boundary
    assert catalog.label_decoded("traefik.tls.stores.default.defaultgeneratedcert.resolver")
    assert not catalog.label_decoded("traefik.tls.options.modern.minversion")
    assert not catalog.label_decoded("traefik.enable")
    assert catalog.provider_label(3, "docker", "traefik.enable")[:2] == (True, "bool")
    decoded, type_, _ = catalog.provider_label(3, "docker", "traefik.enabled")
    assert decoded and type_ is None
    assert catalog.provider_label(3, "swarm", "traefik.swarm.network")[1] == "string"
    assert catalog.provider_label(2, "docker", "traefik.swarm.network")[0] is False


def test_env_root_prefix_match():
    assert catalog.env_root_prefix_match(3, "loglevel")
    assert not catalog.env_root_prefix_match(3, "domain")


# ------------------------------------------------- Traefik's reference files

_REFERENCE = {
    3: ("corpus", "traefik-docs", "reference"),
    2: ("corpus", "traefik-docs", "v2", "reference"),
}


def _problems(version: int, kind: str, root, source: str = catalog.FILE) -> list[str]:
    out = []
    for v in catalog.walk(version, kind, root, source):
        if v.info is None:
            out.append(f"unknown: {v.dotted}")
            continue
        shape = catalog.shape_problem(v.info, v.node, source, item=v.parent.is_named_map)
        value = catalog.value_problem(v.info, v.node)
        if shape or value:
            out.append(f"{v.dotted}: {shape.text if shape else value}")
    return out


@pytest.mark.parametrize("version", [3, 2])
@pytest.mark.parametrize("kind,name", [(STATIC, "static-configuration/file"), (DYNAMIC, "dynamic-configuration/file")])
@pytest.mark.parametrize("ext", ["yaml", "toml"])
def test_reference_file_is_all_known(version, kind, name, ext):
    path = shared_path(*_REFERENCE[version], f"{name}.{ext}")
    text = path.read_text(encoding="utf-8")
    if ext == "yaml":
        root = load_documents(str(path), text)[0].root
    else:
        root, problem = load_toml(str(path), text)
        assert problem is None
    assert _problems(version, kind, root) == []
    written = {v.info.path for v in catalog.walk(version, kind, root) if v.info is not None}
    absent = [o.path for o in catalog.options(version, kind)
              if o.path not in written and not o.ignored() and not o.path.endswith(("<name>", "[]"))]
    print(f"v{version} {kind}: {len(absent)} catalog options not in the reference file, e.g. {absent[:5]}")


@pytest.mark.parametrize("version", [3, 2])
def test_reference_labels_are_all_known(version):
    path = shared_path(*_REFERENCE[version], "dynamic-configuration", "docker-labels.yml")
    span = Span(str(path), 1, 1, 1, 1)
    pairs = []
    for item in load_documents(str(path), path.read_text(encoding="utf-8"))[0].root.items:
        key, _, value = (item.text() or "").partition("=")
        if catalog.label_decoded(key):
            pairs.append((key.split(".", 1)[1], value, span, span))
    assert pairs
    assert _problems(version, DYNAMIC, build_dotted(pairs, "labels", span), catalog.LABELS) == []


# ------------------------------------------------------ SchemaStore schemas

# Keys a SchemaStore schema has that the catalog deliberately lacks: none so far.
# (Add "path": "why" entries here, e.g. an option Traefik removed that a schema still lists.)
KNOWN_SCHEMA_ONLY: dict[str, dict[str, str]] = {
    "traefik-v2.json": {},
    "traefik-v3.json": {},
    "traefik-v2-file-provider.json": {},
    "traefik-v3-file-provider.json": {},
}
_SCHEMAS = [("traefik-v2.json", 2, STATIC), ("traefik-v3.json", 3, STATIC),
            ("traefik-v2-file-provider.json", 2, DYNAMIC), ("traefik-v3-file-provider.json", 3, DYNAMIC)]


def _schema_paths(schema: dict) -> set[str]:
    """Dotted paths of every property a JSON schema describes (``<name>`` for maps, ``[]`` for list items)."""
    defs = schema.get("$defs") or schema.get("definitions") or {}
    cache: dict[str, set[str] | None] = {}

    def join(prefix: str, rest: str) -> str:
        return f"{prefix}{rest}" if rest.startswith("[") else f"{prefix}.{rest}"

    def rel(node, stack: frozenset) -> set[str]:
        if not isinstance(node, dict):
            return set()
        out: set[str] = set()
        ref = node.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            if name not in stack:
                if name not in cache:
                    cache[name] = None
                    cache[name] = rel(defs.get(name, {}), stack | {name})
                out |= cache[name] or set()
        for key in ("oneOf", "anyOf", "allOf"):
            for sub in node.get(key, []):
                out |= rel(sub, stack)
        for key, sub in node.get("properties", {}).items():
            out.add(key)
            out |= {join(key, p) for p in rel(sub, stack)}
        extra = [node["additionalProperties"]] if isinstance(node.get("additionalProperties"), dict) else []
        for sub in extra + list(node.get("patternProperties", {}).values()):
            out |= {join("<name>", p) for p in rel(sub, stack)}
        if isinstance(node.get("items"), dict):
            out |= {join("[]", p) for p in rel(node["items"], stack)}
        return out

    return rel(schema, frozenset())


def _catalog_parts(path: str) -> list[str]:
    parts: list[str] = []
    for seg in path.split("."):
        n = 0
        while seg.endswith("[]"):
            seg, n = seg[:-2], n + 1
        if seg:
            parts.append(seg)
        parts.extend(["[]"] * n)
    return parts


@pytest.mark.parametrize("name,version,kind", _SCHEMAS, ids=[s[0] for s in _SCHEMAS])
def test_schema_keys_are_in_the_catalog(name, version, kind):
    schema = json.loads(shared_path("schemas", name).read_text(encoding="utf-8"))
    paths = _schema_paths(schema)
    assert len(paths) > 200
    known = KNOWN_SCHEMA_ONLY[name]
    missing = sorted(p for p in paths if catalog.lookup(version, kind, _catalog_parts(p)) is None and p not in known)
    assert missing == [], f"{name}: keys the schema has and the catalog lacks: {missing}"
    stale = sorted(p for p in known if p not in paths)
    assert stale == [], f"KNOWN_SCHEMA_ONLY[{name!r}] lists keys the schema no longer has: {stale}"
    lower = {p.lower() for p in paths}
    lagging = [o.path for o in catalog.options(version, kind)
               if o.path.lower() not in lower and not o.ignored() and not o.path.endswith(("<name>", "[]"))]
    print(f"{name}: {len(lagging)} catalog options the schema lacks (schema lag), e.g. {lagging[:8]}")
