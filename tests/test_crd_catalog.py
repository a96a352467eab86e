"""The CRD field catalog (golint_traefik/traefik/crdcatalog.py, data/crd-v*.txt, scripts/gen_crd_catalog.py).

* the API on small inputs: exact-case lookups, free-form maps, int-or-string,
  group-only fields, the API server's type checks and null handling;
* the generator on a small hand-written CRD bundle;
* the committed catalog against Traefik's own CRD bundle when a copy of
  Traefik's docs is available (``../shared/corpus/traefik-docs``: v3 under
  ``reference/``, v2.11 under ``v2/reference/``); skipped otherwise.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from conftest import shared_path
from golint_traefik.traefik import catalog, crdcatalog
from golint_traefik.traefik.yamlload import load_documents

ROOT = Path(__file__).resolve().parents[1]


def _gen():
    spec = importlib.util.spec_from_file_location("gen_crd_catalog", ROOT / "scripts" / "gen_crd_catalog.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _yaml(text: str):
    return load_documents("t.yaml", text)[0].root


# ------------------------------------------------------------------ lookups


def test_every_kind_loads_for_both_versions():
    v3 = crdcatalog.kinds(3)
    assert {"IngressRoute", "IngressRouteTCP", "IngressRouteUDP", "Middleware", "MiddlewareTCP", "TLSOption",
            "TLSStore", "ServersTransport", "ServersTransportTCP", "TraefikService"} <= set(v3)
    assert "ServersTransportTCP" not in crdcatalog.kinds(2)  # v2.11 does not serve it
    for version in (2, 3):
        for kind in crdcatalog.kinds(version):
            root = crdcatalog.root(version, kind)
            assert {"apiVersion", "kind", "metadata", "spec"} <= set(catalog.key_names(root, catalog.CRD))


def test_field_names_match_exactly():
    assert crdcatalog.lookup(3, "IngressRoute", ["spec", "entryPoints"]).type == "list:string"
    assert crdcatalog.lookup(3, "IngressRoute", ["spec", "entrypoints"]) is None
    assert crdcatalog.lookup(3, "Middleware", ["spec", "stripPrefix", "prefixes"]) is not None
    assert crdcatalog.lookup(3, "Middleware", ["spec", "stripprefix"]) is None
    # the option catalog of files is unaffected: paerser matches case-insensitively
    assert catalog.lookup(3, catalog.DYNAMIC, ["http", "routers", "r", "entrypoints"]) is not None


def test_list_items_maps_and_free_form_fields():
    port = crdcatalog.lookup(3, "IngressRoute", ["spec", "routes", 0, "services", 1, "port"])
    assert port.type == "intstr" and port.is_scalar
    assert crdcatalog.field(3, "IngressRoute", "spec.routes[].match").type == "string"
    assert crdcatalog.field(3, "Middleware", "spec.headers.customRequestHeaders").type == "map:string"
    assert crdcatalog.field(3, "Middleware", "spec.errors.statusRewrites").type == "map:int"
    assert crdcatalog.field(3, "Middleware", "spec.plugin").is_raw
    assert crdcatalog.lookup(3, "Middleware", ["spec", "plugin", "bouncer", "AnyThing", "deep"]) is not None
    assert crdcatalog.field(3, "IngressRoute", "metadata").type == "raw"
    assert crdcatalog.enum(crdcatalog.field(3, "IngressRoute", "spec.routes[].kind")) == ("Rule",)
    assert crdcatalog.enum(crdcatalog.field(3, "IngressRoute", "spec.routes[].match")) is None


def test_v2_fields_that_only_one_group_has():
    info = crdcatalog.field(2, "Middleware", "spec.errors.errorRequestHeaders")
    assert crdcatalog.only_group(info) == crdcatalog.GROUP_IO
    assert crdcatalog.only_group(crdcatalog.field(2, "Middleware", "spec.errors.query")) is None


def test_every_v2_field_is_still_in_v3():
    for kind in crdcatalog.kinds(2):
        for info in catalog._iter(crdcatalog.root(2, kind)):
            if not info.path:
                continue
            assert crdcatalog.field(3, kind, info.path) is not None, f"{kind} {info.path}"


def test_suggestions():
    src_text = """\
apiVersion: traefik.io/v1alpha1
kind: TraefikService
metadata: {name: t}
spec:
  weighted:
    services: [{name: a, port: 80}]
  sticky: {cookie: {}}
"""

    class _M:  # a stand-in for kube.Manifest
        root = _yaml(src_text)
        kind, group, name, path = "TraefikService", "traefik.io", "t", "t.yaml"

        def label(self):
            return 'TraefikService "t"'

    src = crdcatalog.CrdSource(_M(), 3, crdcatalog.root(3, "TraefikService"), False)
    unknown = [v for v in src.walk() if v.info is None]
    assert [v.dotted for v in unknown] == ["spec.sticky"]
    assert crdcatalog.suggestion(src, unknown[0])[0] == 'did you mean "weighted.sticky"?'


# ------------------------------------------------------------------ values


@pytest.mark.parametrize("type_,text,ok", [
    ("string", "x: abc", True),
    ("string", "x: '10'", True),
    ("string", "x: 10", False),
    ("string", "x: true", False),
    ("int", "x: 10", True),
    ("int", "x: 10.0", True),
    ("int", "x: 1.5", False),
    ("int", "x: '10'", False),
    ("int", "x: true", False),
    ("intstr", "x: http", True),
    ("intstr", "x: 8080", True),
    ("intstr", "x: 10s", True),
    ("intstr", "x: false", False),
    ("bool", "x: true", True),
    ("bool", "x: yes", True),  # YAML 1.1, as kubectl reads it
    ("bool", "x: 'true'", False),
    ("bool", "x: 1", False),
    ("float", "x: 0.5", True),
    ("float", "x: 2", True),
    ("float", "x: half", False),
])
def test_scalar_types_as_the_api_server_checks_them(type_, text, ok):
    node = _yaml(text).get("x")
    assert (crdcatalog.scalar_problem(type_, node) is None) == ok


def test_type_problems_of_lists_maps_and_enums():
    info = crdcatalog.field(3, "IngressRoute", "spec.entryPoints")
    (problem,) = crdcatalog.type_problems(info, _yaml("entryPoints: web").get("entryPoints"))
    assert "does not split a string on commas" in problem.text
    assert crdcatalog.type_problems(info, _yaml("entryPoints: [web, websecure]").get("entryPoints")) == []
    info = crdcatalog.field(3, "Middleware", "spec.headers.customResponseHeaders")
    problems = crdcatalog.type_problems(info, _yaml("h: {X-A: ok, X-B: 2, X-C: ''}").get("h"))
    assert [p.suffix for p in problems] == [".X-B"]
    info = crdcatalog.field(3, "IngressRoute", "spec.routes[].kind")
    (problem,) = crdcatalog.type_problems(info, _yaml("kind: rule").get("kind"))
    assert 'did you mean "Rule"?' in problem.text
    info = crdcatalog.field(3, "Middleware", "spec.plugin")
    assert crdcatalog.type_problems(info, _yaml("plugin: {p: {a: [1, {b: c}]}}").get("plugin")) == []
    # null is dropped, never a type problem
    info = crdcatalog.field(3, "IngressRoute", "spec.routes[].priority")
    assert crdcatalog.type_problems(info, _yaml("priority:").get("priority")) == []


# ------------------------------------------------------------------ the generator


_MINI_BUNDLE = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.traefik.io
spec:
  group: traefik.io
  names: {kind: Widget, plural: widgets}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        description: 'More info: https://doc.traefik.io/traefik/v3.9/widgets/'
        properties:
          apiVersion: {type: string}
          kind: {type: string}
          metadata: {type: object}
          spec:
            properties:
              port:
                anyOf: [{type: integer}, {type: string}]
                x-kubernetes-int-or-string: true
              mode: {type: string, enum: [fast, slow]}
              tags: {type: array, items: {type: string}}
              headers: {type: object, additionalProperties: {type: string}}
              plugin:
                type: object
                additionalProperties: {x-kubernetes-preserve-unknown-fields: true}
              routes:
                type: array
                items:
                  type: object
                  properties:
                    match: {type: string}
                    weight: {type: integer}
            type: object
        type: object
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.other.io
spec:
  group: other.io
  names: {kind: Gadget, plural: gadgets}
  versions: []
"""


def test_generator_on_a_small_bundle(tmp_path):
    gen = _gen()
    bundle = tmp_path / "docs" / "content" / "reference" / "dynamic-configuration" / "kubernetes-crd-definition-v1.yml"
    bundle.parent.mkdir(parents=True)
    bundle.write_text(_MINI_BUNDLE, encoding="utf-8")
    text, major, warnings = gen.generate(tmp_path)
    assert major == 3 and not warnings
    body = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert body == [
        "[Widget]",
        "apiVersion string",
        "kind string",
        "metadata raw",
        "spec struct",
        "spec.port intstr",
        "spec.mode string enum=fast|slow",
        "spec.tags list:string",
        "spec.headers map:string",
        "spec.plugin map:raw",
        "spec.routes list",
        "spec.routes[] struct",
        "spec.routes[].match string",
        "spec.routes[].weight int",
    ]
    assert "(Traefik v3.9)" in text
    parsed = catalog._parse(3, text)  # the catalog machinery reads what the generator writes
    assert parsed.roots["Widget"]._children["spec"]._children["routes"].item.path == "spec.routes[]"


def _compare_with_bundle(version: int, bundle: Path) -> None:
    text, _, _ = _gen().generate(bundle, version)
    theirs = catalog._parse(version, text)
    for kind, root in theirs.roots.items():
        for info in catalog._iter(root):
            if not info.path:
                continue
            ours = crdcatalog.field(version, kind, info.path)
            assert ours is not None, f"{kind} {info.path} is missing: run scripts/gen_crd_catalog.py"
            assert ours.type == info.type, f"{kind} {info.path}: {ours.type} here, {info.type} in Traefik"


def _bundle(version: int) -> Path:
    """Traefik's CRD definition bundle in the docs corpus, for ``version``, wherever the corpus keeps it.

    The corpus holds the reference option files; whether it also carries the CRD bundle is up to it,
    so its absence skips (with the reason) even in CI, unlike the reference files."""
    root = shared_path("corpus", "traefik-docs")
    found = sorted(p for p in root.rglob("kubernetes-crd-definition-v1.y*ml")
                   if ("v2" in p.relative_to(root).parts) == (version == 2))
    if not found:
        pytest.skip(f"{root} carries no v{version} kubernetes-crd-definition-v1.yml")
    return found[0]


def test_catalog_matches_traefik_v3_bundle():
    _compare_with_bundle(3, _bundle(3))


def test_catalog_matches_traefik_v2_bundle():
    _compare_with_bundle(2, _bundle(2))
