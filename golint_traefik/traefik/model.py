"""The deployment model: every Traefik configuration source of the project in one place.

Sources are recognised by content, never by guessing from the name alone:

* static configuration: a YAML/TOML mapping whose root keys are Traefik
  static roots (``entryPoints``, ``providers``, ``api``, ...);
* file-provider dynamic configuration: root keys among ``http``, ``tcp``,
  ``udp``, ``tls`` with Traefik-shaped children;
* (later) Kubernetes manifests with Traefik kinds, docker-compose labels,
  CLI flags and environment variables.

Rules read :class:`Project`; they never see which format a value came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from golint_traefik.finding import Finding, Span
from golint_traefik.traefik.tree import CNode
from golint_traefik.traefik.yamlload import load_documents

STATIC_ROOTS = frozenset(
    k.lower()
    for k in (
        "global", "serversTransport", "tcpServersTransport", "entryPoints", "providers", "api", "metrics", "ping",
        "log", "accessLog", "tracing", "hostResolver", "certificatesResolvers", "experimental", "core", "spiffe",
        "ocsp", "pilot",
    )
)
DYNAMIC_ROOTS = frozenset({"http", "tcp", "udp", "tls"})
HTTP_SECTIONS = frozenset({"routers", "services", "middlewares", "serverstransports"})


@dataclass
class ConfigDoc:
    """One configuration document: where it came from and what it is."""

    path: str
    kind: str  # "static" | "dynamic"
    root: CNode
    provider: str = "file"


@dataclass
class Project:
    version: int = 3
    docs: list[ConfigDoc] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Finding] = field(default_factory=list)

    @property
    def has_traefik(self) -> bool:
        return bool(self.docs)

    @property
    def static(self) -> list[ConfigDoc]:
        return [d for d in self.docs if d.kind == "static"]

    @property
    def dynamic(self) -> list[ConfigDoc]:
        return [d for d in self.docs if d.kind == "dynamic"]


def classify(root: CNode) -> str | None:
    if not root.is_map or not root.entries:
        return None
    keys = {(e.key or "").lower() for e in root.entries}
    if keys & DYNAMIC_ROOTS and keys <= DYNAMIC_ROOTS | STATIC_ROOTS:
        http = root.get("http")
        if keys & STATIC_ROOTS and not (keys & DYNAMIC_ROOTS - {"tls"}):
            return "static"
        if http is None or (http.is_map and {(e.key or "").lower() for e in http.entries} & HTTP_SECTIONS):
            return "dynamic" if not keys & STATIC_ROOTS else "static"
    if len(keys & STATIC_ROOTS) >= 1 and len(keys & STATIC_ROOTS) * 2 >= len(keys):
        return "static"
    return None


def build_project(files: list[tuple[str, bytes]], settings) -> Project:
    from golint_traefik.engine import engine_finding

    project = Project()
    for path, data in files:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            if path.endswith((".yml", ".yaml")):
                project.diagnostics.append(engine_finding("E002", Span(path, 1, 1, 1, 1), f"not UTF-8 text ({exc.reason} at byte {exc.start}); not analysed"))
            continue
        if not path.endswith((".yml", ".yaml")):
            continue
        docs = load_documents(path, text)
        file_docs = []
        problems = []
        for d in docs:
            if d.problem is not None:
                problems.append(d.problem)
                continue
            kind = classify(d.root)
            if kind:
                file_docs.append(ConfigDoc(path, kind, d.root))
        if file_docs or problems and _looks_traefik(text):
            project.texts[path] = text
            project.docs.extend(file_docs)
            for pr in problems:
                project.diagnostics.append(engine_finding("E001", Span(path, pr.line, pr.col, pr.line, pr.col), pr.message))
    if settings.traefik_version in ("2", "3"):
        project.version = int(settings.traefik_version)
    return project


def _looks_traefik(text: str) -> bool:
    low = text.lower()
    return "traefik" in low or "entrypoints" in low or "routers" in low
