"""The Traefik deployment model: recognition, positions, keys, references, versions."""

from __future__ import annotations

import textwrap

import pytest

from golint_traefik.engine import Settings
from golint_traefik.traefik.model import FOUND, MISSING, UNKNOWN, build_project, classify
from golint_traefik.traefik.resources import MIDDLEWARE, SERVICE, ingressroute_router_name, normalize
from golint_traefik.traefik.tomlload import load_toml
from golint_traefik.traefik.yamlload import load_documents


def project(files: dict[str, str], version: str = "auto"):
    settings = Settings(selected=frozenset(), traefik_version=version)
    return build_project([(p, textwrap.dedent(t).encode()) for p, t in files.items()], settings)


def text_at(files: dict[str, str], span) -> str:
    """The source text a span covers (one line)."""
    line = textwrap.dedent(files[span.path]).splitlines()[span.line - 1]
    assert span.line == span.end_line
    return line[span.col - 1 : span.end_col - 1]


def refs_by_text(p, kind=None):
    return {r.text: r for r in p.references(kind)}


# ------------------------------------------------------------ recognition

STATIC_YAML = """\
entryPoints:
  web:
    address: ":80"
providers:
  docker: {}
api:
  dashboard: true
"""

DYNAMIC_YAML = """\
http:
  routers:
    app:
      rule: Host(`a`)
      service: app
  services:
    app:
      loadBalancer:
        servers: [{url: "http://x"}]
"""


@pytest.mark.parametrize(
    "name,text,expected",
    [
        ("traefik.yml", STATIC_YAML, "static"),
        ("whatever.yaml", STATIC_YAML, "static"),
        ("dynamic.yml", DYNAMIC_YAML, "dynamic"),
        ("tls.yml", "tls:\n  certificates:\n    - certFile: /c.pem\n      keyFile: /k.pem\n", "dynamic"),
        ("mixed.yml", STATIC_YAML + DYNAMIC_YAML, "static"),  # dynamic roots in a static file: still the static file
        ("case.yml", "ENTRYPOINTS:\n  web:\n    Address: ':80'\n", "static"),
    ],
)
def test_classify_traefik_documents(name, text, expected):
    (doc,) = load_documents(name, text)
    assert classify(doc.root) == expected


NOT_TRAEFIK = {
    ".github/workflows/ci.yml": """\
        name: ci
        on: [push]
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: docker pull traefik:v3.1
        """,
    ".pre-commit-config.yaml": """\
        repos:
          - repo: https://github.com/pre-commit/pre-commit-hooks
            rev: v4.6.0
            hooks:
              - id: check-yaml
        """,
    "values.yaml": """\
        image:
          repository: traefik
          tag: v3.1
        providers:
          kubernetesCRD:
            enabled: true
        ports:
          web:
            port: 8000
        service:
          type: LoadBalancer
        logs:
          general:
            level: INFO
        additionalArguments:
          - --api.insecure=true
        ingressRoute:
          dashboard:
            enabled: true
        """,
    "deploy.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
                - name: web
                  image: nginx
                  args: ["--api.insecure=true"]
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web
          annotations:
            nginx.ingress.kubernetes.io/rewrite-target: /
        """,
    "docker-compose.yml": """\
        services:
          db:
            image: postgres:16
            environment:
              - TRAEFIK_API_INSECURE=true
          web:
            image: nginx
            labels:
              - com.example.team=web
        """,
    "app-config.yml": """\
        log:
          level: debug
        http:
          port: 8080
        database:
          url: postgres://x
        """,
    "openapi.yaml": "openapi: 3.0.0\ninfo: {title: x}\npaths: {}\n",
    "pyproject.toml": '[project]\nname = "x"\n[tool.ruff]\nline-length = 100\n',
    "config.toml": "[log]\nlevel = 'debug'\n[server]\nport = 8080\n[database]\nurl = 'x'\n",
    "traefik-v1.toml": 'defaultEntryPoints = ["http"]\n[entryPoints]\n  [entryPoints.http]\n  address = ":80"\n[frontends]\n',
}

HELM_INGRESSROUTE = textwrap.dedent("""\
        {{- if .Values.ingressRoute.enabled }}
        apiVersion: traefik.io/v1alpha1
        kind: IngressRoute
        metadata:
          name: {{ .Release.Name }}
        spec:
          routes:
            - match: {{ .Values.match }}
              middlewares:
        {{- range .Values.middlewares }}
                - name: {{ . }}
        {{- end }}
        {{- end }}
        """)


@pytest.mark.parametrize("path", sorted(NOT_TRAEFIK))
def test_non_traefik_files_are_silent(path):
    p = project({path: NOT_TRAEFIK[path]})
    assert not p.has_traefik, (p.docs, p.static_configs, p.resources)
    assert not p.diagnostics


def test_broken_traefik_yaml_is_diagnosed_but_broken_workflow_is_not():
    p = project({"dynamic.yml": "http:\n  routers:\n    app: [\n", "ci.yml": "on: [push\njobs: {}\n"})
    assert [(d.rule_id, d.path) for d in p.diagnostics] == [("E001", "dynamic.yml")]


def test_compose_and_kubernetes_sources_are_recognised():
    files = {
        "docker-compose.yml": """\
            services:
              traefik:
                image: traefik:v3.1
                command: --providers.docker
              app:
                image: example/app
                labels:
                  traefik.http.routers.app.rule: Host(`app`)
            """,
        "k8s.yaml": """\
            apiVersion: traefik.io/v1alpha1
            kind: Middleware
            metadata: {name: auth, namespace: apps}
            spec:
              basicAuth: {secret: users}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: app}
            """,
    }
    p = project(files)
    assert p.has_traefik
    assert sorted(p.providers) == ["docker", "internal", "kubernetescrd"]
    assert {(r.provider, r.kind, r.name) for r in p.resources} == {("docker", "router", "app"), ("kubernetescrd", "middleware", "apps-auth")}
    assert [(s.origin, s.owner) for s in p.static_configs] == [("flags", 'compose service "traefik"')]


def test_kind_list_is_unpacked():
    p = project({"list.yaml": """\
        apiVersion: v1
        kind: List
        items:
          - apiVersion: traefik.io/v1alpha1
            kind: TraefikService
            metadata: {name: canary, namespace: shop}
            spec: {weighted: {services: []}}
        """})
    assert [(r.kind, r.name) for r in p.resources] == [("service", "shop-canary")]


# -------------------------------------------------------------- positions

COMPOSE = """\
services:
  traefik:
    image: traefik:v3.1
    command:
      - "--api.insecure=true"
      - --entrypoints.web.address=:80
    environment:
      - TRAEFIK_LOG_LEVEL=DEBUG
  app:
    image: example/app
    labels:
      - "traefik.http.routers.app.middlewares=auth@file,strip"
      - traefik.http.middlewares.auth.basicauth.users=admin:$$apr1$$x$$y
  api:
    image: example/api
    deploy:
      labels:
        traefik.http.routers.api.service: api-svc
"""


def test_flag_positions_cover_flag_and_value_text():
    files = {"docker-compose.yml": COMPOSE}
    p = project(files)
    flags = next(s for s in p.static_configs if s.origin == "flags")
    node = flags.root.find("api.insecure")
    assert text_at(files, node.key_span) == "--api.insecure"
    assert text_at(files, node.span) == "true"
    addr = flags.root.find("entryPoints.web.address")
    assert text_at(files, addr.span) == ":80"
    assert text_at(files, flags.root.find("entrypoints.web").key_span) == "web"


def test_env_is_ignored_next_to_flags():
    p = project({"docker-compose.yml": COMPOSE})
    env = next(s for s in p.static_configs if s.origin == "env")
    assert not env.effective and "flags" in env.ignored_because
    assert env.root.find("log.level").text() == "DEBUG"


def test_label_positions_and_compose_dollar_escaping():
    files = {"docker-compose.yml": COMPOSE}
    p = project(files)
    router = p.select("router", provider="docker")[0]
    assert text_at(files, router.name_span) == "app"
    mids = router.node.get("middlewares")
    assert text_at(files, mids.key_span) == "traefik.http.routers.app.middlewares"
    assert text_at(files, mids.span) == "auth@file,strip"
    parts = mids.as_list()
    assert [m.text() for m in parts] == ["auth@file", "strip"]
    assert [text_at(files, m.span) for m in parts] == ["auth@file", "strip"]
    users = p.select("middleware", provider="docker")[0].node.find("basicauth.users")
    assert users.text() == "admin:$apr1$x$y"
    assert users.raw == "admin:$$apr1$$x$$y"
    assert text_at(files, users.span) == "admin:$$apr1$$x$$y"


def test_deploy_labels_belong_to_swarm_in_v3_and_docker_in_v2():
    assert {r.provider for r in project({"c.yml": COMPOSE}).select("router")} == {"docker", "swarm"}
    assert {r.provider for r in project({"c.yml": COMPOSE}, version="2").select("router")} == {"docker"}


def test_map_labels_and_indexed_label_segments():
    files = {"compose.yaml": """\
        services:
          app:
            image: x
            labels:
              traefik.http.services.canary.weighted.services[1].name: v2
              traefik.http.services.canary.weighted.services[0].name: v1
        """}
    p = project(files)
    (svc,) = p.select(SERVICE)
    items = svc.node.find("weighted.services").items
    assert [i.get("name").text() for i in items] == ["v1", "v2"]
    assert [r.text for r in p.references(SERVICE)] == ["v1", "v2"]
    assert text_at(files, items[0].get("name").span) == "v1"


def test_toml_positions():
    text = textwrap.dedent("""\
        [http.routers.app]
          rule = "Host(`a`)"
          middlewares = ["auth", "strip"]

        [[http.services.app.loadBalancer.servers]]
          url = "http://a"

        [[http.services.app.loadBalancer.servers]]
          url = "http://b"
        [http.middlewares.auth.basicAuth]
          users = ["u:p"]
        [http.middlewares]
          strip = { stripPrefix = { prefixes = ["/x"] } }
        """)
    root, problem = load_toml("d.toml", text)
    assert problem is None
    lines = text.splitlines()

    def at(span):
        return lines[span.line - 1][span.col - 1 : span.end_col - 1]

    mids = root.find("http.routers.app.middlewares")
    assert at(mids.key_span) == "middlewares"
    assert [at(i.span) for i in mids.items] == ['"auth"', '"strip"']
    servers = root.find("http.services.app.loadBalancer.servers").items
    assert [at(s.get("url").span) for s in servers] == ['"http://a"', '"http://b"']
    assert servers[1].get("url").span.line == 9
    assert at(root.find("http.routers.app").key_span) == "[http.routers.app]"
    assert at(root.find("http.middlewares.strip.stripPrefix.prefixes").key_span) == "prefixes"


def test_toml_error_is_reported_with_position():
    root, problem = load_toml("bad.toml", "[http]\nrouters = \n")
    assert root is None and problem.line == 2


# ------------------------------------------------------------------- keys


def test_keys_match_case_insensitively_across_sources():
    files = {
        "traefik.yml": "ENTRYPOINTS:\n  web:\n    Address: ':80'\n    HTTP:\n      Middlewares: [auth@file]\nAPI:\n  Insecure: true\n",
        "dyn.yml": "HTTP:\n  Routers:\n    app:\n      Service: app\n      MIDDLEWARES: [auth]\n  Middlewares:\n    auth:\n      basicAuth: {users: [a]}\n",
    }
    p = project(files)
    assert p.static[0].root.find("api.insecure").as_bool() is True
    assert {r.kind for r in p.resources} == {"router", "middleware"}
    assert {(r.text, p.resolve(r).status) for r in p.references(MIDDLEWARE)} == {("auth@file", FOUND), ("auth", FOUND)}


def test_resource_names_are_case_sensitive():
    p = project({"dyn.yml": "http:\n  routers:\n    app:\n      service: x\n      middlewares: [Auth]\n  middlewares:\n    auth:\n      headers: {}\n"})
    res = p.resolve(refs_by_text(p, MIDDLEWARE)["Auth"])
    assert res.status == MISSING and res.suggestion == "auth"


# ------------------------------------------------------------- resolution

RESOLVE_FILES = {
    "dyn.yml": """\
        http:
          routers:
            a:
              service: svc
              middlewares: [local, local@file, api@docker, other@kubernetescrd, dashboard_redirect@internal, nope@internal, gone]
          middlewares:
            local: {headers: {}}
          services:
            svc: {loadBalancer: {servers: [{url: "http://x"}]}}
        """,
    "docker-compose.yml": """\
        name: shop
        services:
          api:
            image: example/api
            labels:
              - traefik.http.middlewares.api.headers.frameDeny=true
              - traefik.http.routers.r1.service=web-shop
              - traefik.http.routers.r2.service=svc@file
              - traefik.http.routers.r3.service=${SERVICE}
              - traefik.http.routers.r4.service=api
          web:
            image: example/web
        """,
}


@pytest.mark.parametrize(
    "text,status",
    [
        ("local", FOUND),  # bare name: same provider
        ("local@file", FOUND),
        ("api@docker", FOUND),  # defined by a label
        ("other@kubernetescrd", UNKNOWN),  # provider not in the project
        ("dashboard_redirect@internal", FOUND),
        ("nope@internal", MISSING),
        ("gone", MISSING),
    ],
)
def test_middleware_resolution(text, status):
    p = project(RESOLVE_FILES)
    assert p.resolve(refs_by_text(p, MIDDLEWARE)[text]).status == status


@pytest.mark.parametrize(
    "text,status",
    [
        ("svc", FOUND),
        ("web-shop", FOUND),  # the service Traefik creates for compose service "web" of project "shop"
        ("svc@file", FOUND),
        ("${SERVICE}", UNKNOWN),  # interpolated by compose
        ("api", MISSING),  # "api" is a middleware of the container, not a service
    ],
)
def test_service_resolution(text, status):
    p = project(RESOLVE_FILES)
    assert p.resolve(refs_by_text(p, SERVICE)[text]).status == status


def test_crd_references_resolve_by_namespace():
    p = project({"crd.yaml": """\
        apiVersion: traefik.io/v1alpha1
        kind: Middleware
        metadata: {name: auth, namespace: apps}
        spec: {basicAuth: {secret: s}}
        ---
        apiVersion: traefik.io/v1alpha1
        kind: Middleware
        metadata: {name: nons}
        spec: {headers: {}}
        ---
        apiVersion: traefik.io/v1alpha1
        kind: IngressRoute
        metadata: {name: app, namespace: apps}
        spec:
          routes:
            - match: Host(`a`)
              middlewares:
                - name: auth
                - name: auth
                  namespace: other
                - name: apps-auth@kubernetescrd
                - name: nons
                - name: auth@file
        """})
    statuses = [(r.text, r.namespace, p.resolve(r).status) for r in p.references(MIDDLEWARE)]
    assert statuses == [
        ("auth", "apps", FOUND),
        ("auth", "other", MISSING),
        ("apps-auth@kubernetescrd", "apps", FOUND),
        ("nons", "apps", FOUND),  # a manifest without a namespace may be applied to any namespace
        ("auth@file", "apps", UNKNOWN),
    ]
    router = p.select("router")[0]
    assert router.name == ingressroute_router_name("apps", "app", "Host(`a`)")
    assert router.name.startswith("apps-app-") and len(router.name) == len("apps-app-") + 10


def test_entrypoint_middlewares_must_be_qualified():
    p = project({
        "traefik.yml": "entryPoints:\n  web:\n    address: ':80'\n    http:\n      middlewares: [hdr, hdr@file]\n",
        "dyn.yml": "http:\n  middlewares:\n    hdr: {headers: {}}\n",
    })
    bare, qualified = p.references(MIDDLEWARE)
    res = p.resolve(bare)
    assert res.status == MISSING and res.suggestion == "hdr@file"
    assert p.resolve(qualified).status == FOUND


def test_template_actions_are_blanked_in_place():
    files = {
        "a.yml": "http:\n  routers:\n    r:\n      service: s\n      middlewares: [gen, x, \"{{ env \\\"MW\\\" }}\"]\n"
                 "  services:\n    s: {loadBalancer: {servers: []}}\n",
        "b.yml": 'http:\n  middlewares:\n    x:\n      forwardAuth:\n        address: "http://auth.{{env "DOMAIN"}}/verify"\n',
    }
    p = project(files)
    assert "file" not in p.incomplete  # only values are templated: every name is known
    refs = refs_by_text(p, MIDDLEWARE)
    assert p.resolve(refs["gen"]).status == MISSING
    assert p.resolve(refs["x"]).status == FOUND
    templated_ref = next(r for t, r in refs.items() if t not in ("gen", "x"))
    assert p.resolve(templated_ref).status == UNKNOWN
    address = p.select(MIDDLEWARE)[0].node.find("forwardAuth.address")
    assert address.span.col == 18 and address.span.end_col == 55  # positions as in the original text


@pytest.mark.parametrize(
    "text",
    [
        # an object named by a template
        "http:\n  middlewares:\n{{ range $i := until 3 }}\n    gen-{{ $i }}:\n      headers: {}\n{{ end }}\n",
        # a template that is not YAML even with its actions blanked
        "http:\n  middlewares:\n    {{ .Name }}: {headers: {}}\n  {{ if .X }}routers: {}{{ end }}\n",
    ],
)
def test_templated_names_make_the_file_provider_unknown(text):
    p = project({
        "a.yml": "http:\n  routers:\n    r:\n      service: s\n      middlewares: [gen]\n  services:\n    s: {loadBalancer: {servers: []}}\n",
        "b.yml": text,
    })
    assert "file" in p.incomplete
    assert p.resolve(refs_by_text(p, MIDDLEWARE)["gen"]).status == UNKNOWN
    assert not p.diagnostics


def test_helm_template_of_a_crd_is_read_but_not_resolved():
    p = project({"chart/templates/ingressroute.yaml": HELM_INGRESSROUTE})
    assert not p.diagnostics
    assert "kubernetescrd" in p.incomplete
    assert all(p.resolve(r).status == UNKNOWN for r in p.refs)


def test_normalize_matches_traefik():
    assert normalize("web_shop") == "web-shop"
    assert normalize("a..b--c") == "a-b-c"
    assert normalize("-x-") == "x"


# ---------------------------------------------------------------- versions


@pytest.mark.parametrize(
    "files,setting,expected",
    [
        ({"c.yml": "services:\n  t:\n    image: traefik:v2.11\n"}, "auto", 2),
        ({"c.yml": "services:\n  t:\n    image: traefik:2.10.4\n"}, "auto", 2),
        ({"c.yml": "services:\n  t:\n    image: docker.io/library/traefik:v3.1@sha256:abc\n"}, "auto", 3),
        ({"c.yml": "services:\n  t:\n    image: traefik:${TAG:-v2.10}\n"}, "auto", 2),
        ({"c.yml": "services:\n  t:\n    image: traefik:v2.11\n"}, "3", 3),  # the setting wins
        ({"m.yaml": "apiVersion: traefik.containo.us/v1alpha1\nkind: Middleware\nmetadata: {name: a}\nspec: {headers: {}}\n"}, "auto", 2),
        ({"traefik.yml": "entryPoints:\n  web: {address: ':80'}\npilot:\n  token: x\n"}, "auto", 2),
        ({"traefik.yml": "entryPoints:\n  web: {address: ':80'}\ncore:\n  defaultRuleSyntax: v2\n"}, "auto", 3),
        ({"traefik.yml": STATIC_YAML}, "auto", 3),  # no evidence: 3
        ({"traefik.yml": STATIC_YAML}, "2", 2),
    ],
)
def test_version_inference(files, setting, expected):
    assert project(files, version=setting).version == expected


# ---------------------------------------------------------- static sources


@pytest.mark.parametrize(
    "volumes,extra,effective",
    [
        ("[./traefik.yml:/etc/traefik/traefik.yml:ro]", {}, False),  # a mounted config file wins over flags
        ("[./conf:/etc/traefik]", {"conf/traefik.yml": STATIC_YAML}, False),  # a mounted directory holding one
        ("[./certs:/etc/traefik]", {}, True),  # a directory without a config file: flags stay in force
        ("[./data:/data]", {}, True),
    ],
)
def test_flags_are_ignored_when_a_config_file_is_loaded(volumes, extra, effective):
    compose = f"services:\n  traefik:\n    image: traefik:v3.1\n    volumes: {volumes}\n    command: [--api.insecure=true]\n"
    p = project({"docker-compose.yml": compose, **extra})
    flags = next(s for s in p.static_configs if s.origin == "flags")
    assert flags.effective is effective
    assert (flags in p.static) is effective


def test_config_file_flag_wins_over_other_flags():
    p = project({"c.yml": "services:\n  t:\n    image: traefik\n    command: --configFile=/x/t.toml --api.insecure\n"})
    (flags,) = p.static_configs
    assert not flags.effective and "--configFile" in flags.ignored_because


def test_switch_flag_and_its_section_are_one_node():
    p = project({"c.yml": "services:\n  t:\n    image: traefik\n    command: --api=true --api.insecure=true --log.level=INFO --log\n"})
    root = p.static[0].root
    assert [e.key for e in root.entries] == ["api", "log"]
    assert root.find("api.insecure").as_bool() is True
    assert root.get("api").value == "true" and root.get("log").value == "true"


def test_kubernetes_workload_flags_and_env():
    files = {"deploy.yaml": """\
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: traefik, namespace: edge}
        spec:
          template:
            spec:
              containers:
                - name: traefik
                  image: traefik:v2.11.3
                  args: ["--entrypoints.web.address=:80"]
                  env:
                    - name: TRAEFIK_API_INSECURE
                      value: "true"
        """}
    p = project(files)
    flags, env = p.static_configs
    assert flags.owner == 'DaemonSet "edge/traefik"' and flags.effective
    assert not env.effective  # flags win
    assert text_at(files, env.root.find("api.insecure").key_span) == "TRAEFIK_API_INSECURE"
    assert p.version == 2


def test_default_tls_option_always_exists():
    p = project({"d.yml": "http:\n  routers:\n    r:\n      service: s\n      tls: {options: default}\n"
                          "  services:\n    s: {loadBalancer: {servers: []}}\n"
                          "tcp:\n  routers:\n    t:\n      service: x\n      tls: {options: modern}\n"})
    statuses = {r.text: p.resolve(r).status for r in p.references("tlsOption")}
    assert statuses == {"default": FOUND, "modern": MISSING}


def test_ingress_annotations_refer_to_crd_middlewares():
    p = project({"ing.yaml": """\
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: shop
          namespace: web
          annotations:
            traefik.ingress.kubernetes.io/router.middlewares: web-auth@kubernetescrd, strip
        """})
    refs = refs_by_text(p, MIDDLEWARE)
    assert p.resolve(refs["web-auth@kubernetescrd"]).status == UNKNOWN  # no CRDs in the project
    assert p.resolve(refs["strip"]).status == MISSING  # bare: the kubernetes provider defines no middlewares


@pytest.mark.parametrize(
    "statics,active",
    [
        ({"a/traefik.yml": "providers:\n  docker:\n    exposedByDefault: false\n"}, False),
        ({"a/traefik.yml": "providers:\n  docker:\n    exposedByDefault: true\n"}, True),
        # two deployments in one repository that disagree: the labels are not judged inactive
        ({"a/traefik.yml": "providers:\n  docker:\n    exposedByDefault: false\n",
          "b/traefik.yml": "providers:\n  docker: {}\n  file: {directory: /d}\n"}, True),
        ({}, True),
    ],
)
def test_labels_without_enable_are_inactive_only_when_exposed_by_default_is_false(statics, active):
    files = {"c/docker-compose.yml": "services:\n  app:\n    image: x\n    labels: [traefik.http.middlewares.m.headers.frameDeny=true]\n",
             **statics}
    (res,) = project(files).select(MIDDLEWARE)
    assert res.active is active


def test_broken_traefik_toml_is_diagnosed():
    p = project({"dynamic.toml": '[http.routers.app]\nrule = "Host(`a`)\n'})
    assert [(d.rule_id, d.span.line) for d in p.diagnostics] == [("E001", 2)]


# ----------------------------------------------- ConfigMaps and env_file

from golint_traefik.traefik.tree import SourceText, embedded_text  # noqa: E402

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: traefik-config
  namespace: traefik
data:
  traefik.yml: |
    entryPoints:
      web:
        address: ":80"
    api:
      insecure: true
  dynamic.yml: |-
    http:
      middlewares:
        strip:
          stripPrefix:
            prefixes: ["/api"]
  nginx.conf: |
    server { listen 80; }
"""


def test_configmap_files_are_read_with_positions_in_the_manifest():
    files = {"k8s/cm.yaml": CONFIGMAP}
    p = project(files)
    (static,) = p.static
    assert static.origin == "file" and static.path == "k8s/cm.yaml"
    assert static.owner == 'ConfigMap "traefik/traefik-config" (traefik.yml)'
    assert static.file_name == "traefik.yml"
    insecure = static.root.find("api.insecure")
    assert (insecure.key_span.line, insecure.key_span.col) == (12, 7)
    assert text_at(files, insecure.key_span) == "insecure"
    assert text_at(files, insecure.span) == "true"
    address = static.root.find("entryPoints.web.address")
    assert text_at(files, address.span) == '":80"'
    (dyn,) = p.dynamic
    assert dyn.embedded is not None and dyn.embedded.key == "dynamic.yml"
    (mw,) = p.select(MIDDLEWARE)
    assert mw.name == "strip" and text_at(files, mw.node.key_span) == "strip"
    prefixes = mw.node.find("stripPrefix.prefixes")
    assert (prefixes.items[0].span.line, prefixes.items[0].span.col) == (18, 24)
    assert text_at(files, prefixes.items[0].span) == '"/api"'
    assert "k8s/cm.yaml" in p.texts


@pytest.mark.parametrize("header,indent", [("|", 4), ("|-", 4), ("|+", 4), ("|2", 4), ("|-2", 4), ("|  # a comment", 6)])
def test_literal_block_styles_map_line_and_column(header, indent):
    body = "\n".join(" " * indent + line for line in ("api:", "  insecure: true", "entryPoints:", "  web:",
                                                       "    address: ':80'"))
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  traefik.yml: {header}\n{body}\n\n"
    (static,) = project({"cm.yaml": text}).static
    node = static.root.find("api.insecure")
    assert (node.key_span.line, node.key_span.col, node.span.col) == (8, indent + 3, indent + 13)


def test_one_line_scalars_are_placed_and_folded_ones_skipped():
    text = textwrap.dedent("""\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: x}
        data:
          traefik.yml: "{entryPoints: {web: {address: ':80'}}, api: {insecure: true}}"
          routes.yml: >
            http:
              middlewares: {m: {compress: {}}}
        """)
    p = project({"cm.yaml": text})
    (static,) = p.static
    node = static.root.find("api.insecure")
    assert text_at({"cm.yaml": text}, node.key_span) == "insecure"
    assert text_at({"cm.yaml": text}, node.span) == "true"
    assert p.dynamic == []  # folded: its lines are joined, positions could not be placed


def test_embedded_text_refuses_scalars_it_cannot_place():
    text = 'a: "x: 1\\ny: 2"\nb: plain\nc: 3\n'
    (doc,) = load_documents("f.yaml", text)
    src = SourceText("f.yaml", text)
    assert embedded_text(doc.root.get("a"), src) is None  # escapes
    found = embedded_text(doc.root.get("b"), src)
    assert found is not None and found[1].position(1, 1) == (2, 4)
    assert embedded_text(doc.root.get("c"), src) is None  # not a string


def test_configmap_toml_positions():
    text = textwrap.dedent("""\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: x}
        data:
          traefik.toml: |
            [entryPoints.web]
              address = ":80"
            [api]
              insecure = true
        """)
    (static,) = project({"cm.yaml": text}).static
    node = static.root.find("api.insecure")
    assert (node.key_span.line, node.key_span.col) == (9, 7)
    assert text_at({"cm.yaml": text}, node.span) == "true"


def test_configmaps_that_are_not_traefiks_are_ignored():
    text = textwrap.dedent("""\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: app}
        data:
          config.yaml: |
            http:
              port: 8080
              timeout: 30s
            log: {level: info}
            database: {url: "postgres://db"}
          values.yaml: |
            api:
              insecure: true
            deployment:
              replicas: 2
          broken.yml: |
            a: [
        """)
    p = project({"cm.yaml": text})
    assert not p.static and not p.docs and not p.diagnostics and not p.has_traefik


def test_configmap_traefik_yml_name_lowers_the_bar_only_for_traefik_roots():
    def static(key: str, body: str):
        lines = "".join(f"    {line}\n" for line in body.splitlines())
        text = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\ndata:\n  {key}: |\n{lines}"
        return project({"cm.yaml": text}).static

    assert static("traefik.yml", "log:\n  level: DEBUG")  # the name says what it is
    assert not static("app.yml", "log:\n  level: DEBUG")  # content alone is not enough
    assert not static("traefik.yml", "log:\n  level: DEBUG\nserver:\n  port: 80")  # a root Traefik does not know


def test_broken_embedded_traefik_yml_is_diagnosed_in_the_manifest():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  traefik.yml: |\n    entryPoints:\n      web: [\n"
    p = project({"cm.yaml": text})
    assert [(d.rule_id, d.path) for d in p.diagnostics] == [("E001", "cm.yaml")]
    assert p.diagnostics[0].span.line >= 6


def test_helm_templated_configmap_is_templated():
    text = textwrap.dedent("""\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ include "x.fullname" . }}
        data:
          traefik.yml: |
            entryPoints:
              web:
                address: ":{{ .Values.port }}"
            {{- if .Values.api }}
            api:
              insecure: {{ .Values.api.insecure }}
            {{- end }}
        """)
    p = project({"templates/cm.yaml": text})
    (doc,) = p.docs
    assert doc.templated and doc.kind == "static"
    assert p.static[0].root.find("api.insecure").as_bool() is None


MOUNTED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  template:
    spec:
      containers:
        - name: traefik
          image: traefik:v3.1
          args: ["--api.insecure=true"]
          volumeMounts:
            - {name: cfg, mountPath: /etc/traefik}
      volumes:
        - name: cfg
          configMap: {name: traefik-config}
"""


def test_configmap_mounted_at_etc_traefik_makes_the_flags_ignored():
    p = project({"cm.yaml": CONFIGMAP, "deploy.yaml": MOUNTED})
    flags = next(s for s in p.static_configs if s.origin == "flags")
    assert not flags.effective
    assert 'ConfigMap "traefik/traefik-config", key traefik.yml, mounted at /etc/traefik/traefik.yml' in flags.ignored_because
    assert [s.origin for s in p.static] == ["file"]
    # Without the ConfigMap in the project nothing is known about the mounted directory.
    p = project({"deploy.yaml": MOUNTED})
    assert [s.origin for s in p.static] == ["flags"]


def _compose_project(files: dict[str, str], extra: dict[str, str]):
    settings = Settings(selected=frozenset())
    seen: list[str] = []

    def read(path: str):
        seen.append(path)
        return extra[path].encode() if path in extra else None

    p = build_project([(k, textwrap.dedent(v).encode()) for k, v in files.items()], settings, read_file=read)
    return p, seen


COMPOSE_ENV_FILE = """\
services:
  traefik:
    image: traefik:v3.1
    env_file:
      - ../common.env
      - path: traefik.env
        required: false
      - missing.env
    environment:
      TRAEFIK_LOG_LEVEL: INFO
"""


def test_compose_env_file_variables_are_static_configuration():
    env = ('# shared\nexport TRAEFIK_API_INSECURE=true\nTRAEFIK_LOG_LEVEL=DEBUG\n'
           "TRAEFIK_ENTRYPOINTS_WEB_ADDRESS=':80'  # quoted\nOTHER=1\n")
    p, seen = _compose_project({"stack/compose.yml": COMPOSE_ENV_FILE},
                               {"common.env": "TRAEFIK_API_DASHBOARD=true\n", "stack/traefik.env": env})
    assert seen == ["common.env", "stack/traefik.env", "stack/missing.env"]
    (static,) = p.static
    assert static.origin == "env"
    root = static.root
    insecure = root.find("api.insecure")
    assert insecure.text() == "true" and insecure.key_span.path == "stack/traefik.env"
    assert (insecure.key_span.line, insecure.key_span.col, insecure.span.col) == (2, 8, 29)
    assert root.find("log.level").text() == "INFO"  # environment wins over env_file
    assert root.find("log.level").key_span.path == "stack/compose.yml"
    assert root.find("entryPoints.web.address").text() == ":80"
    assert root.find("api.dashboard").key_span.path == "common.env"
    assert p.external_files == ["common.env", "stack/traefik.env"]
    assert p.texts["stack/traefik.env"] == env


def test_dotenv_values():
    from golint_traefik.traefik.cmdline import dotenv_settings

    text = ('TRAEFIK_A="x # not a comment"\nTRAEFIK_B=\'$literal\'\nTRAEFIK_C=${VAR}\nTRAEFIK_D="multi\nline"\n'
            "TRAEFIK_E\nTRAEFIK_F=  spaced  # comment\nTRAEFIK_A=later\n")
    got = {s.key: (s.value, s.dynamic) for s in dotenv_settings("e.env", text)}
    assert got == {"b": ("$literal", False), "c": ("${VAR}", True), "d": ("multi\nline", False),
                   "f": ("spaced", False), "a": ("later", False)}


def test_env_file_is_not_reported_as_ignored_when_flags_are_used():
    compose = "services:\n  traefik:\n    image: traefik:v3.1\n    command: [--providers.docker]\n    env_file: t.env\n"
    p, _ = _compose_project({"compose.yml": compose}, {"t.env": "TRAEFIK_API_INSECURE=true\n"})
    assert [s.origin for s in p.static_configs] == ["flags"]


def test_literal_file_in_a_helm_template_is_not_templated():
    text = ('{{- if .Values.traefik.enabled }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n'
            'data:\n  traefik.yml: |\n    entryPoints:\n      web: {address: ":80"}\n    api: {insecure: true}\n{{- end }}\n')
    p = project({"chart/templates/cm.yaml": text})
    (doc,) = p.docs
    assert not doc.templated
    assert p.static[0].root.find("api.insecure").as_bool() is True


def test_env_files_are_read_from_the_directory_of_the_run(tmp_path, monkeypatch):
    from dataclasses import replace

    (tmp_path / "stack").mkdir()
    compose = "services:\n  traefik:\n    image: traefik:v3.1\n    env_file: t.env\n"
    (tmp_path / "stack" / "compose.yml").write_text(compose)
    (tmp_path / "stack" / "t.env").write_text("TRAEFIK_API_INSECURE=true\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = replace(Settings(selected=frozenset()), base=str(tmp_path))
    p = build_project([("stack/compose.yml", compose.encode())], settings)
    assert p.static[0].root.find("api.insecure").key_span.path == "stack/t.env"
    # Content that is not what is on disk (an unsaved buffer on stdin): the directory is not trusted.
    p = build_project([("stack/compose.yml", compose.encode() + b"\n")], settings)
    assert not p.static and not p.external_files
