"""The cross model: Go programs, the Traefik objects in front of them, and the links between the two.

Go side
    :class:`GoIndex` holds the facts of every package of the run and the Go
    modules they belong to (their ``go.mod``).  A :class:`Program` is one or
    more ``main`` packages plus every package of the tree they import,
    transitively, inside their modules; its routes get absolute paths once
    the router edges of all its packages are known (:meth:`Program.routes`).

Links (how a Traefik service is tied to a program; see :meth:`CrossModel.link`)
    1. ``[tool.golint-traefik.links]``: ``"<traefik service>" = "<directory>"``
       (``name@provider``, a bare Traefik service name, or a compose / Kubernetes
       service name); ``""`` declares that no Go code of the tree serves it.
    2. Container labels: a service or router defined in the labels of compose
       service *S* is served by *S*.
    3. A URL Traefik connects to (``loadBalancer.servers[].url``, the v3
       ``loadbalancer.server.url`` label, a ``forwardAuth.address``): its host
       is a compose service name, ``container_name``, ``hostname`` or network
       alias; or a Kubernetes Service (``name``, ``name.namespace``,
       ``name.namespace.svc[.cluster.local]``).
    4. IngressRoute ``services[]`` (``kind: Service``): the Kubernetes Service.
    5. A compose service is served by the Go code in its ``build`` context
       (the directory of a ``dockerfile`` outside the context root when it
       holds a ``main`` package): the single ``main`` package there; else the
       ones whose directory is named like the service, its ``container_name``,
       its image, a word of its Dockerfile's name (``dev.server.Dockerfile``)
       or a ``cmd/<name>`` in its ``command``; else one whose name ends the
       service name (``backend-server`` -> ``server/``); else the only one
       that serves HTTP; else all of them (a union: checks stay
       conservative).  A service without ``build`` is matched by name (see 6).
    6. By name (compose services without ``build``, Kubernetes workloads):
       the one ``main`` package whose directory has the name of the service,
       workload, container or image (``-svc``/``-service`` endings ignored),
       else the one whose directory ends the name (``imaging-server`` ->
       ``server/``), else the one at the root or in ``cmd/`` of a module
       named like it (image ``acme/forward-auth`` -> module
       ``github.com/acme/forward-auth``).  A Kubernetes Service reaches its
       workloads through its selector; when no name matches, a workload
       manifest kept in a directory with exactly one ``main`` package
       (``server/deployment.yaml`` beside ``server/main.go``) links to it.
    7. A URL whose host is the local machine (``localhost``, ``127.0.0.1``,
       ``host.docker.internal``) is served by the only Go program of the tree
       that serves HTTP, or else by the only one that listens on the URL's
       port.

What cannot be linked: services behind providers the linter does not read
(Consul, etcd, Nomad, ...), URLs naming IP addresses or external hosts,
Kubernetes Services without a workload in the tree, images built from
Dockerfiles that pick a package the heuristics cannot tell apart, and Go
code outside the linted tree.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

from golint_traefik.cross import facts as F
from golint_traefik.cross import paths as P
from golint_traefik.finding import Span
from golint_traefik.traefik import compose as compose_mod
from golint_traefik.traefik import kube
from golint_traefik.traefik.cmdline import compose_unescape, split_words
from golint_traefik.traefik.resources import ROUTER, SERVICE, Resource
from golint_traefik.traefik.tree import CNode

_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "[::1]", "host.docker.internal", "host-gateway",
                       "gateway.docker.internal", "docker.for.mac.localhost"})
_MODULE = re.compile(r"^\s*module\s+\"?([^\s\"]+)\"?", re.M)


# ------------------------------------------------------------------ go side


@dataclass(frozen=True)
class RoutePath:
    """A route with its absolute path: ``pattern`` is what it answers, ``text`` how messages show it."""

    route: F.Route
    pattern: P.Pattern
    text: str
    unknown_prefix: bool = False

    def answers(self, path: str, method: str | None = None) -> bool:
        return self.method_ok(method) and (self.route.catch_all or P.matches(self.pattern, path))

    def answers_prefix(self, prefix: str, method: str | None = None) -> bool:
        return self.method_ok(method) and (self.route.catch_all or P.prefix_compatible(self.pattern, prefix))

    def method_ok(self, method: str | None) -> bool:
        ms = self.route.methods
        if not ms or method is None:
            return True
        m = method.upper()
        if m in ms:
            return True
        return m == "HEAD" and "GET" in ms and self.route.syntax in ("servemux", "fiber")


class Program:
    """One Go program: its ``main`` package(s) and the packages of the tree they import."""

    def __init__(self, index: "GoIndex", mains: list[F.PackageFacts], packages: list[F.PackageFacts], ambiguous: bool):
        self.index = index
        self.mains = mains
        self.packages = packages
        self.ambiguous = ambiguous

    @property
    def label(self) -> str:
        dirs = [m.display_dir for m in self.mains]
        return " + ".join(d.rstrip("/") + "/" for d in dirs)

    @property
    def anchor(self) -> Span | None:
        """Where messages point at for the program: its ``func main``."""
        for m in self.mains:
            if m.main_span is not None:
                return m.main_span
        return None

    def _norm(self, key: str | None) -> str | None:
        return self.index.normalize(key)

    @cached_property
    def edges(self) -> list[F.Edge]:
        return [F.Edge(self._norm(e.parent), e.prefix, self._norm(e.child), e.span) for pf in self.packages for e in pf.edges]

    @cached_property
    def _parents(self) -> dict[str, list[F.Edge]]:
        out: dict[str, list[F.Edge]] = {}
        for e in self.edges:
            out.setdefault(e.child, []).append(e)
        return out

    def prefixes(self, key: str) -> set[str | None]:
        """Absolute path prefixes of a router key; None stands for "unknown"."""
        memo: dict[str, set[str | None]] = self.__dict__.setdefault("_prefix_memo", {})
        if key in memo:
            return memo[key]
        memo[key] = {None}  # cycle guard
        parents = self._parents.get(key, [])
        if not parents:
            out: set[str | None] = {""} if key.startswith(("root:", "default", "ret:")) else {None}
        else:
            out = set()
            for e in parents:
                for pre in self.prefixes(e.parent):
                    out.add(None if pre is None else P.join(pre, e.prefix))
                    if len(out) > 16:
                        break
        memo[key] = out
        return out

    @cached_property
    def routes(self) -> list[RoutePath]:
        out: list[RoutePath] = []
        for pf in self.packages:
            for r in pf.routes:
                if r.pattern is None:
                    continue
                base = self._norm(r.base) or "?"
                for pre in sorted(self.prefixes(base), key=lambda x: (x is None, x or "")):
                    rel = P.join(r.prefix, r.pattern) if r.pattern or r.prefix else r.pattern
                    if pre is None:
                        pat = P.under_unknown_prefix(P.parse(rel or "/", r.syntax, r.subtree))
                        text = "…" + (rel or "/")
                    else:
                        full = P.join(pre, rel) or "/"
                        pat = P.parse(full, r.syntax, r.subtree)
                        text = full
                    if r.subtree and not text.endswith(("*", "/")):
                        text += "*" if text.endswith("/") else "/*"
                    if r.catch_all:
                        text = "(not-found handler)"
                    shown = (" ".join(r.methods) + " " if r.methods else "") + text
                    out.append(RoutePath(r, pat, shown, pre is None))
        return out

    @cached_property
    def unknown_routes(self) -> list[F.Route]:
        """Registrations whose path is not a constant."""
        return [r for pf in self.packages for r in pf.routes if r.pattern is None]

    @cached_property
    def servers(self) -> list[F.Server]:
        return [s for pf in self.packages for s in pf.servers]

    def handlers(self, key: str | None, depth: int = 0) -> list[F.Handler]:
        """The blocking facts of the handler a route names (through functions returning handlers)."""
        key = self._norm(key)
        if key is None or depth > 3:
            return []
        if key.startswith("ret:"):
            inner = self._returns.get(key[4:])
            return self.handlers(inner, depth + 1) if inner else []
        return self._handlers.get(key, [])

    @cached_property
    def _handlers(self) -> dict[str, list[F.Handler]]:
        out: dict[str, list[F.Handler]] = {}
        for pf in self.packages:
            for h in pf.handlers:
                out.setdefault(self._norm(h.key), []).append(h)
        return out

    @cached_property
    def _returns(self) -> dict[str, str]:
        return {self._norm(k): self._norm(v) for pf in self.packages for k, v in pf.returns}

    def field_part(self, name: str) -> F.Part | None:
        """A config field of another package of the program, by its tags (None: unknown or ambiguous)."""
        from golint_traefik.cross.gofacts import tag_part

        found = {(env, default, flag) for pf in self.packages for fld, env, default, flag in pf.tagged if fld == name}
        return tag_part(*found.pop()) if len(found) == 1 else None

    def is_router(self, handler: str | None) -> bool:
        """Whether a server's handler (``key|prefix``) is a router whose routes the program shows."""
        if handler is None or handler == "opaque":
            return False
        if handler == "default":
            return True
        key = self._norm(handler.split("|", 1)[0]) or ""
        if key.startswith("root:"):
            return True
        return key in self._parents or any(e.parent == key for e in self.edges) or \
            any(self._norm(r.base) == key for pf in self.packages for r in pf.routes)

    def opaque_servers(self) -> list[F.Server]:
        """Servers whose handler is not a router we read (it may answer any path)."""
        return [s for s in self.servers if s.handler is None or s.handler == "opaque"]

    def closest_routes(self, path: str, n: int = 3) -> list[RoutePath]:
        """Routes whose text shares the longest prefix with ``path`` (for messages)."""
        def score(rp: RoutePath) -> tuple:
            t = rp.text.split(" ")[-1]
            common = len(os.path.commonprefix([t, path]))
            return (-common, rp.route.span.path, rp.route.span.line)

        return sorted(self.routes, key=score)[:n]


class GoIndex:
    """Every package's facts, by directory, and the modules they belong to."""

    def __init__(self, facts: list[F.PackageFacts]):
        self.facts = [f for f in facts if f is not None]
        self.by_dir = {f.directory: f for f in self.facts}
        self._programs: dict[tuple[str, ...], Program] = {}

    # modules
    def module_of(self, directory: str) -> tuple[str, str] | None:
        """(module path, module root) of the nearest go.mod at or above ``directory``."""
        from golint_traefik.engine import nearest_gomod

        mod = nearest_gomod(directory)
        m = _MODULE.search(mod[1].decode("utf-8", "replace")) if mod else None
        return (m.group(1), mod[0]) if m else None

    @cached_property
    def modules(self) -> list[tuple[str, str]]:
        mods = {self.module_of(f.directory) for f in self.facts}
        return sorted((m for m in mods if m), key=lambda m: -len(m[0]))

    def dir_of_import(self, path: str) -> str | None:
        for mod, root in self.modules:
            if path == mod:
                return root
            if path.startswith(mod + "/"):
                return os.path.join(root, *path[len(mod) + 1:].split("/"))
        return None

    def normalize(self, key: str | None) -> str | None:
        """``func:@<import path>:F`` -> ``func:<dir>:F`` (also inside param:/ret: keys)."""
        if key is None or "func:@" not in key:
            return key
        m = re.search(r"func:@([^:]+):", key)
        if not m:
            return key
        d = self.dir_of_import(m.group(1))
        return key if d is None else key[: m.start()] + f"func:{d}:" + key[m.end():]

    # programs
    def mains_under(self, directory: str) -> list[F.PackageFacts]:
        d = directory.rstrip(os.sep)
        return sorted((f for f in self.facts if f.is_main and (f.directory == d or f.directory.startswith(d + os.sep))),
                      key=lambda f: f.directory)

    @cached_property
    def http_mains(self) -> list[F.PackageFacts]:
        return [m for m in self.facts if m.is_main and self.program([m]).serves_http]

    def program(self, mains: list[F.PackageFacts], ambiguous: bool = False) -> Program:
        key = tuple(m.directory for m in mains)
        prog = self._programs.get(key)
        if prog is None:
            seen: dict[str, F.PackageFacts] = {}
            todo = list(mains)
            while todo:
                pf = todo.pop()
                if pf.directory in seen:
                    continue
                seen[pf.directory] = pf
                for imp in pf.imports:
                    d = self.dir_of_import(imp)
                    if d is not None and d in self.by_dir and d not in seen:
                        todo.append(self.by_dir[d])
            prog = Program(self, list(mains), sorted(seen.values(), key=lambda f: f.directory), ambiguous)
            self._programs[key] = prog
        return prog


def _serves_http(prog: Program) -> bool:
    return bool(prog.servers or prog.routes or prog.unknown_routes)


Program.serves_http = property(_serves_http)  # type: ignore[attr-defined]


# ------------------------------------------------------------------- links


@dataclass
class Deployment:
    """How a program runs: environment, arguments, and whether Traefik reaches it over a network."""

    env: dict[str, str | None] = field(default_factory=dict)  # None: set, value unknown
    env_open: bool = False  # an env_file / envFrom may set variables not listed
    args: list[str] | None = None  # command-line arguments (None: the image's default command)
    networked: bool = True  # Traefik runs elsewhere (another container / pod): loopback is unreachable
    host_ports: dict[int, int] = field(default_factory=dict)  # published host port -> container port
    ports: dict[str, int] = field(default_factory=dict)  # Kubernetes container port names -> numbers


@dataclass
class Link:
    program: Program
    how: str  # for messages: 'compose service "orders" (build ./service)'
    deployment: Deployment
    k8s_service: "K8sService | None" = None

    def value(self, v: F.Value | None) -> str | None:
        """The text a Go value has in this deployment (None when it cannot be known)."""
        if v is None:
            return None
        out = []
        d = self.deployment
        for p in v.parts:
            if p.kind == "field":
                p = self.program.field_part(p.name or "")
                if p is None:
                    return None
            if p.kind == "lit":
                out.append(p.text or "")
            elif p.kind == "env":
                if p.name in d.env:
                    val = d.env[p.name]
                    if val is None:
                        return None
                    out.append(val)
                elif d.env_open or p.text is None:
                    return None
                else:
                    out.append(p.text)
            elif p.kind == "flag":
                val = _flag_value(d.args, p.name or "")
                if val is _UNKNOWN:
                    return None
                if val is None:
                    if p.text is None:
                        return None
                    out.append(p.text)
                else:
                    out.append(val)
            else:
                return None
        return "".join(out)


_UNKNOWN = object()


def _flag_value(args: list[str] | None, name: str):
    """The value given to flag ``name`` in ``args`` (None: not given; _UNKNOWN: cannot tell)."""
    if not args:
        return None
    for i, a in enumerate(args):
        if "$" in a and name in a:
            return _UNKNOWN
        for dash in ("--", "-"):
            if a == dash + name:
                return args[i + 1] if i + 1 < len(args) else _UNKNOWN
            if a.startswith(dash + name + "="):
                return a[len(dash + name) + 1:]
    return None


def listen_port(addr: str | None) -> int | None:
    """The TCP port of a Go listen address (``:8080``, ``0.0.0.0:http``); None when not known."""
    if addr is None or ":" not in addr:
        return None
    port = addr.rsplit(":", 1)[1]
    if port.isdigit():
        return int(port)
    return {"http": 80, "https": 443, "http-alt": 8080}.get(port)


def listen_host(addr: str) -> str:
    host = addr.rsplit(":", 1)[0]
    return host.strip("[]")


def is_loopback_host(host: str) -> bool:
    h = host.lower()
    return h == "localhost" or h.startswith("127.") or h == "::1"


@dataclass
class ComposeSvc:
    name: str
    node: CNode
    path: str  # compose file (display path)
    project: str | None

    def text(self, key: str) -> str | None:
        n = self.node.get(key)
        return n.text() if n is not None and n.is_scalar else None

    @property
    def aliases(self) -> set[str]:
        out = {self.name}
        for key in ("container_name", "hostname"):
            t = self.text(key)
            if t:
                out.add(t)
        nets = self.node.get("networks")
        for e in nets.entries if nets is not None and nets.is_map else ():
            al = e.get("aliases") if e.is_map else None
            for a in al.items if al is not None and al.is_seq else ():
                if a.text():
                    out.add(a.text())
        return out

    def build(self) -> tuple[str | None, str | None]:
        """(context, dockerfile) as written."""
        b = self.node.get("build")
        if b is None:
            return None, None
        if b.is_scalar:
            return b.text(), None
        if b.is_map:
            c, d = b.get("context"), b.get("dockerfile")
            return (c.text() if c is not None else "."), (d.text() if d is not None else None)
        return None, None

    def deployment(self) -> Deployment:
        d = Deployment()
        env = self.node.get("environment")
        if env is not None and env.is_map:
            for e in env.entries:
                v = e.text()
                d.env[e.key or ""] = None if v is None or compose_unescape(v)[1] else compose_unescape(v)[0]
        elif env is not None and env.is_seq:
            for item in env.items:
                t = item.text() or ""
                k, eq, v = t.partition("=")
                if eq:
                    d.env[k.strip()] = None if compose_unescape(v)[1] else compose_unescape(v)[0]
                else:
                    d.env[k.strip()] = None
        if self.node.get("env_file") is not None:
            d.env_open = True
        cmd = self.node.get("command")
        if cmd is not None:
            if cmd.is_seq:
                d.args = [(i.text() or "") for i in cmd.items]
            elif cmd.is_scalar and cmd.text():
                d.args = [w for w, _, _ in split_words(cmd.text() or "")]
        mode = self.node.get("network_mode")
        if mode is not None and (mode.text() or "") == "host":
            d.networked = False
        from golint_traefik.traefik.values import compose_ports

        for m in compose_ports(self.node) or []:
            if m.published is not None:
                d.host_ports[m.published] = m.target
        return d


@dataclass
class K8sService:
    name: str
    namespace: str | None
    manifest: kube.Manifest
    selector: dict[str, str]
    ports: list[tuple[int | None, str | None, str | None]]  # (port, name, targetPort as text)

    def target(self, port: str) -> str | None:
        """The targetPort (number or container port name) behind Service port ``port`` (number or name)."""
        for num, name, target in self.ports:
            if str(num) == port or (name and name == port):
                return target if target is not None else str(num)
        return None


@dataclass
class Workload:
    manifest: kube.Manifest
    labels: dict[str, str]
    containers: list[CNode]


def _labels(node: CNode | None) -> dict[str, str]:
    if node is None or not node.is_map:
        return {}
    return {e.key or "": e.text() or "" for e in node.entries}


def _image_name(image: str | None) -> str | None:
    if not image:
        return None
    ref = image.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    name = last.split(":", 1)[0]
    return name or None


# ------------------------------------------------------------------ the model


class CrossModel:
    """The Traefik project, the Go index, and the links between Traefik services and Go programs."""

    def __init__(self, project, index: GoIndex, cwd: str, links: dict[str, str] | None = None, base: str | None = None):
        self.project = project
        self.index = index
        self.cwd = cwd
        self.base = base or cwd
        self.explicit = dict(links or {})
        self._compose: list[ComposeSvc] | None = None
        self._k8s: tuple[list[K8sService], list[Workload]] | None = None

    def abspath(self, display: str) -> str:
        return os.path.normpath(os.path.join(self.cwd, display))

    # ---------------------------------------------------------- inventory
    @property
    def compose_services(self) -> list[ComposeSvc]:
        """Every service of every compose file of the run (with or without Traefik labels)."""
        if self._compose is None:
            out: list[ComposeSvc] = []
            seen = set()
            for cf in self.project.compose_files:
                seen.add(cf.path)
                for s in cf.services:
                    out.append(ComposeSvc(s.name, s.node, cf.path, cf.project))
            for path, text in sorted(self.project.all_texts.items()):
                if path in seen or not path.lower().endswith((".yml", ".yaml")) or "services:" not in text:
                    continue
                for root in _yaml_roots(path, text):
                    if compose_mod.is_compose(root):
                        name = root.get("name")
                        proj = name.text() if name is not None else None
                        for e in root.get("services").entries:
                            if e.is_map:
                                out.append(ComposeSvc(e.key or "", e, path, proj))
            self._compose = out
        return self._compose

    @property
    def kubernetes(self) -> tuple[list[K8sService], list[Workload]]:
        if self._k8s is None:
            services: list[K8sService] = []
            workloads: list[Workload] = []
            for path, text in sorted(self.project.all_texts.items()):
                if not path.lower().endswith((".yml", ".yaml")) or "kind:" not in text:
                    continue
                if not re.search(r"^\s*kind:\s*[\"']?(?:Service|Deployment|StatefulSet|DaemonSet|Pod|ReplicaSet|List)\b", text, re.M):
                    continue
                for root in _yaml_roots(path, text):
                    for m in kube.manifests(root, path):
                        if m.kind == "Service" and m.api_version == "v1":
                            spec = m.root.get("spec")
                            ports = []
                            pnode = spec.get("ports") if spec is not None else None
                            for p in pnode.items if pnode is not None and pnode.is_seq else ():
                                if not p.is_map:
                                    continue
                                num = p.get("port")
                                nm = p.get("name")
                                tgt = p.get("targetPort")
                                n = num.text() if num is not None else None
                                ports.append((int(n) if n and n.isdigit() else None, nm.text() if nm is not None else None,
                                              tgt.text() if tgt is not None else None))
                            services.append(K8sService(m.name or "", m.namespace, m,
                                                       _labels(spec.get("selector") if spec is not None else None), ports))
                        elif m.kind in kube.WORKLOAD_KINDS:
                            spec = kube.pod_spec(m)
                            tmpl_labels = _labels(m.root.find("spec.template.metadata.labels")) if m.kind != "Pod" \
                                else _labels(m.root.find("metadata.labels"))
                            cs = spec.get("containers") if spec is not None else None
                            workloads.append(Workload(m, tmpl_labels, [c for c in (cs.items if cs is not None and cs.is_seq else ()) if c.is_map]))
            self._k8s = (services, workloads)
        return self._k8s

    # -------------------------------------------------------------- links
    def program_for_dir(self, directory: str, names: list[str], how: str) -> tuple[Program | None, str]:
        mains = self.index.mains_under(directory)
        if not mains:
            return None, how
        if len(mains) == 1:
            return self.index.program(mains), how
        wanted = {n.lower() for n in names if n}
        named = [m for m in mains if os.path.basename(m.directory).lower() in wanted]
        if not named:  # backend-server -> server/
            named = [m for m in mains if any(w.endswith(("-" + os.path.basename(m.directory).lower(),
                                                          "_" + os.path.basename(m.directory).lower())) for w in wanted)]
            named = named if len(named) == 1 else []
        if named:
            return self.index.program(named), how
        http = [m for m in mains if self.index.program([m]).serves_http]
        if len(http) == 1:
            return self.index.program(http), how
        chosen = http or mains
        return self.index.program(chosen, ambiguous=True), how + f" (one of {len(chosen)} main packages)"

    def program_by_name(self, names: list[str]) -> Program | None:
        """The one ``main`` package whose directory is named like one of ``names`` (exactly, else by a unique
        ``-suffix``: ``imaging-server`` -> ``server/``; ``-svc``/``-service`` endings are ignored)."""
        wanted = {n.lower() for n in names if n}
        wanted |= {re.sub(r"[-_](svc|service|deployment|deploy)$", "", n) for n in wanted}
        if not wanted:
            return None
        mains = [m for m in self.index.facts if m.is_main]
        named = [m for m in mains if os.path.basename(m.directory).lower() in wanted]
        if len(named) == 1:
            return self.index.program(named)
        if not named:  # the module is named like the image: its main package at the root or in cmd/
            named = [m for m in mains if self._module_main(m) and self._module_main(m) in wanted]
            if len(named) == 1:
                return self.index.program(named)
        if not named:
            suffix = [m for m in mains if os.path.basename(m.directory) and any(
                w.endswith(("-" + os.path.basename(m.directory).lower(), "_" + os.path.basename(m.directory).lower()))
                for w in wanted)]
            if len(suffix) == 1:
                return self.index.program(suffix)
        return None

    def _module_main(self, m: F.PackageFacts) -> str | None:
        """The last element of the module path, for a main package at the module root or directly in cmd/."""
        mod = self.index.module_of(m.directory)
        if mod is None:
            return None
        path, root = mod
        if m.directory == root or os.path.dirname(m.directory) == root and os.path.basename(m.directory) == "cmd":
            last = path.rstrip("/").rsplit("/", 1)[-1]
            if re.fullmatch(r"v\d+", last) and "/" in path:
                last = path.rsplit("/", 2)[-2]
            return last.lower()
        return None

    def link_compose(self, svc: ComposeSvc) -> Link | None:
        ctx, dockerfile = svc.build()
        names = [svc.name, svc.text("container_name") or "", _image_name(svc.text("image")) or ""]
        # dev.server.Dockerfile / server.Dockerfile / Dockerfile.server name the program; so does
        # `command: go run ./cmd/server` (or a path to its main.go).
        if dockerfile:
            names += [t for t in re.split(r"[._\-/]", os.path.basename(dockerfile)) if t.lower() not in ("dockerfile", "")]
        cmd = svc.node.get("command")
        words = [i.text() or "" for i in cmd.items] if cmd is not None and cmd.is_seq else \
            (cmd.text() or "").split() if cmd is not None and cmd.is_scalar else []
        for w in words:
            m = re.search(r"cmd/([\w.-]+)", w)
            if m:
                names.append(m.group(1))
        if ctx is not None and "$" not in ctx and "://" not in ctx:
            base = posixpath.dirname(svc.path)
            directory = self.abspath(posixpath.join(base, ctx))
            if dockerfile and "$" not in dockerfile:
                df_dir = os.path.dirname(os.path.normpath(os.path.join(directory, dockerfile)))
                if df_dir != directory and self.index.mains_under(df_dir):
                    directory = df_dir
            shown = posixpath.normpath(posixpath.join(base, ctx))
            prog, how = self.program_for_dir(directory, names, f'compose service "{svc.name}" (build {shown})')
            if prog is not None:
                return Link(prog, how, svc.deployment())
            return None
        prog = self.program_by_name(names)
        if prog is None:
            return None
        return Link(prog, f'compose service "{svc.name}" (image {svc.text("image")}, named like {prog.label})', svc.deployment())

    def compose_by_host(self, host: str, near: str | None = None) -> ComposeSvc | None:
        cands = [s for s in self.compose_services if host in s.aliases]
        if not cands:
            return None
        if len(cands) > 1 and near is not None:
            same = [s for s in cands if posixpath.dirname(s.path) == posixpath.dirname(near)]
            cands = same or cands
        return cands[0]

    def k8s_service(self, name: str, namespace: str | None) -> K8sService | None:
        services, _ = self.kubernetes
        cands = [s for s in services if s.name == name and (namespace is None or s.namespace in (None, namespace))]
        return cands[0] if cands else None

    def link_k8s(self, svc: K8sService) -> Link | None:
        _, workloads = self.kubernetes
        picked = [w for w in workloads if svc.selector and all(w.labels.get(k) == v for k, v in svc.selector.items())
                  and (svc.namespace is None or w.manifest.namespace in (None, svc.namespace))]
        names = [svc.name]
        for w in picked:
            names.append(w.manifest.name or "")
            for c in w.containers:
                img = c.get("image")
                names.append(_image_name(img.text() if img is not None else None) or "")
                cn = c.get("name")
                names.append(cn.text() if cn is not None else "")
        prog = self.program_by_name(names)
        how = f'Kubernetes Service "{svc.name}"' + (f' (workload "{picked[0].manifest.name}")' if picked else "")
        if prog is None:
            # A workload manifest kept next to the Go code it runs (server/deployment.yaml beside server/main.go).
            beside = {tuple(self.index.mains_under(self.abspath(posixpath.dirname(w.manifest.path)))) for w in picked}
            beside.discard(())
            if len(beside) == 1 and len(next(iter(beside))) == 1:
                prog = self.index.program(list(next(iter(beside))))
                how += f", whose manifest sits beside the Go code in {prog.label}"
            else:
                return None
        else:
            how += f", Go code in {prog.label}"
        dep = Deployment()
        for w in picked[:1]:
            for c in w.containers:
                env = c.get("env")
                for e in env.items if env is not None and env.is_seq else ():
                    n, v = e.get("name"), e.get("value")
                    if n is not None and n.text():
                        dep.env[n.text() or ""] = v.text() if v is not None and v.text() is not None else None
                if c.get("envFrom") is not None:
                    dep.env_open = True
                for key in ("command", "args"):
                    node = c.get(key)
                    if node is not None and node.is_seq:
                        dep.args = (dep.args or []) + [(i.text() or "") for i in node.items]
                ports = c.get("ports")
                for p in ports.items if ports is not None and ports.is_seq else ():
                    pn, cp = p.get("name"), p.get("containerPort")
                    if pn is not None and cp is not None and (cp.text() or "").isdigit():
                        dep.ports[pn.text() or ""] = int(cp.text() or "0")
        return Link(prog, how, dep, svc)

    def _explicit(self, keys: list[str]) -> tuple[bool, Link | None]:
        for k in keys:
            if k in self.explicit:
                target = self.explicit[k]
                if not target:
                    return True, None
                directory = os.path.normpath(os.path.join(self.base, target))
                mains = self.index.mains_under(directory)
                if not mains:
                    return True, None
                prog = self.index.program(mains, ambiguous=len(mains) > 1)
                return True, Link(prog, f'the configured link "{k}" = "{target}"', Deployment())
        return False, None

    def link_url(self, url: str, near: str) -> Link | None:
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:
            return None
        if not host or "$" in url or "{" in url:
            return None
        svc = self.compose_by_host(host, near)
        if svc is not None:
            done, link = self._explicit([svc.name])
            if done:
                return link
            return self.link_compose(svc)
        labels = host.split(".")
        if len(labels) >= 2 and labels[2:3] in ([], ["svc"]) or len(labels) == 1:
            ks = self.k8s_service(labels[0], labels[1] if len(labels) >= 2 else None)
            if ks is not None:
                done, link = self._explicit([ks.name])
                if done:
                    return link
                return self.link_k8s(ks)
        if host.lower() in _LOOPBACK or host.startswith("127."):
            mains = self.index.http_mains
            if len(mains) == 1:
                prog = self.index.program(mains)
                return Link(prog, f"the only Go HTTP program of the tree ({prog.label}), at {host}",
                            Deployment(networked=False))
            port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
            on_port = [m for m in mains if any(listen_port(Link(self.index.program([m]), "", Deployment()).value(s.addr)) == port
                                                 for s in self.index.program([m]).servers)]
            if port is not None and len(on_port) == 1:
                prog = self.index.program(on_port)
                return Link(prog, f"the only Go program of the tree listening on port {port} ({prog.label}), at {host}",
                            Deployment(networked=False))
        return None

    def link(self, res: Resource) -> Link | None:
        """The Go program serving a Traefik service (a Resource of kind service), if it can be told."""
        cache = self.__dict__.setdefault("_links", {})
        if id(res) in cache:
            return cache[id(res)]
        cache[id(res)] = None
        keys = [res.qualified, res.name]
        if res.container:
            keys.append(res.container)
        done, link = self._explicit(keys)
        if not done:
            link = None
            urls = self.server_urls(res)
            if res.source == "labels" and res.container and not urls:
                svc = next((s for s in self.compose_services if s.name == res.container and s.path == res.path), None)
                if svc is not None:
                    link = self.link_compose(svc)
            for url, _node in urls:
                link = self.link_url(url, res.path)
                if link is not None:
                    break
        cache[id(res)] = link
        return link

    def link_container(self, container: str, path: str) -> Link | None:
        done, link = self._explicit([container])
        if done:
            return link
        svc = next((s for s in self.compose_services if s.name == container and s.path == path), None)
        return self.link_compose(svc) if svc is not None else None

    def link_crd_service(self, item: CNode, namespace: str | None) -> Link | None:
        """An IngressRoute ``services[]`` entry of kind Service."""
        kind = item.get("kind")
        if kind is not None and (kind.text() or "Service") != "Service":
            return None
        name = item.get("name")
        if name is None or not name.text():
            return None
        ns = item.get("namespace")
        namespace = (ns.text() if ns is not None else None) or namespace
        done, link = self._explicit([name.text() or ""])
        if done:
            return link
        ks = self.k8s_service(name.text() or "", namespace)
        return self.link_k8s(ks) if ks is not None else None

    # ------------------------------------------------------ traefik side
    @staticmethod
    def server_urls(res: Resource) -> list[tuple[str, CNode]]:
        """``loadBalancer.servers[].url`` (and the v3 label ``loadbalancer.server.url``)."""
        out = []
        n = res.node
        if not n.is_map:
            return out
        servers = n.find("loadBalancer.servers")
        if servers is not None and servers.is_seq:
            for s in servers.items:
                u = s.get("url") if s.is_map else None
                if u is not None and u.is_scalar and u.text():
                    out.append((u.text() or "", u))
        elif servers is not None and servers.is_map:  # labels: servers.0.url
            for e in servers.entries:
                u = e.get("url") if e.is_map else None
                if u is not None and u.is_scalar and u.text():
                    out.append((u.text() or "", u))
        single = n.find("loadBalancer.server.url")
        if single is not None and single.is_scalar and single.text():
            out.append((single.text() or "", single))
        return out

    def router_service_links(self, router: Resource) -> list[tuple[Resource | None, Link, CNode | None]]:
        """The Go programs a router forwards to: (service resource or None, link, CRD services[] item or None)."""
        out: list[tuple[Resource | None, Link, CNode | None]] = []
        if router.source == "crd":
            items = router.node.get("services") if router.node.is_map else None
            for item in items.items if items is not None and items.is_seq else ():
                if item.is_map:
                    link = self.link_crd_service(item, router.namespace)
                    if link is not None:
                        out.append((None, link, item))
            return out
        svc_refs = [r for r in self.project.refs if r.owner is router and r.kind == SERVICE and r.via == "service"]
        targets: list[Resource] = []
        for ref in svc_refs:
            res = self.project.resolve(ref)
            targets.extend(t for t in res.targets if t.kind == SERVICE)
        if not svc_refs and router.source == "labels" and router.container:
            own = [r for r in self.project.resources if r.kind == SERVICE and r.protocol == router.protocol
                   and r.container == router.container and r.path == router.path]
            if len(own) == 1:
                targets = own
            elif not own:
                link = self.link_container(router.container, router.path)
                if link is not None:
                    out.append((None, link, None))
                return out
        for t in targets:
            for leaf in self._leaves(t):
                link = self.link(leaf)
                if link is not None:
                    out.append((leaf, link, None))
        return out

    def _leaves(self, svc: Resource, depth: int = 0) -> list[Resource]:
        """A service, or the services a weighted/failover/mirroring service sends to."""
        if depth > 4 or not svc.node.is_map or svc.node.get("loadBalancer") is not None:
            return [svc]
        out = []
        for ref in self.project.refs:
            if ref.owner is svc and ref.kind == SERVICE:
                for t in self.project.resolve(ref).targets:
                    out.extend(self._leaves(t, depth + 1))
        return out or [svc]

    def http_routers(self) -> list[Resource]:
        return [r for r in self.project.resources if r.kind == ROUTER and r.protocol == "http" and r.active]

    def http_services(self) -> list[Resource]:
        return [r for r in self.project.resources if r.kind == SERVICE and r.protocol == "http" and r.active]


def _yaml_roots(path: str, text: str) -> list[CNode]:
    from golint_traefik.traefik.gotemplate import untemplate
    from golint_traefik.traefik.yamlload import load_documents

    text, _ = untemplate(text)
    return [d.root for d in load_documents(path, text) if d.root is not None]
