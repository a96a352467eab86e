"""Reading option values the way Traefik reads them, for the TR4xx-TR7xx rules.

* durations (paerser's ``types.Duration``; Go's ``time.ParseDuration`` for
  Traefik v2 health checks), entrypoint addresses, compose port mappings;
* how a static option is spelled in its source (file, flag, environment);
* small derived facts of the deployment model: the entrypoints a router is
  attached to, the compose services running a static configuration, the
  health checks of the services.

Read-only functions over :class:`~golint_traefik.traefik.tree.CNode` and the
:class:`~golint_traefik.traefik.model.Project`; no rule decides anything here.
"""

from __future__ import annotations

from dataclasses import dataclass

from golint_traefik.traefik import catalog
from golint_traefik.traefik.gotemplate import is_templated
from golint_traefik.traefik.tree import CNode

# ----------------------------------------------------------------- durations

def parse_duration(text: str | None) -> float | None:
    """A duration option in seconds, or None when Traefik rejects the value.

    paerser's ``types.Duration``: a bare integer is a number of seconds,
    anything else goes through Go's ``time.ParseDuration``.  The parsing
    itself is :func:`golint_traefik.traefik.catalog.parse_duration`.
    """
    if text is None:
        return None
    return catalog.parse_duration(text.strip())


def node_duration(node: CNode | None) -> float | None:
    """The duration a scalar option holds (see :func:`parse_duration`); None when absent or invalid."""
    if node is None or not node.is_scalar or isinstance(node.value, bool):
        return None
    if isinstance(node.value, float):
        return None  # a YAML float such as 1.5 is neither an integer nor a Go duration
    return parse_duration(node.text())


def format_seconds(seconds: float) -> str:
    """``90`` -> ``1m30s``; ``0.25`` -> ``250ms``: a duration as Traefik's docs write them."""
    if seconds == 0:
        return "0s"
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 1:
        ms = seconds * 1000
        return f"{sign}{ms:g}ms"
    out = []
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        out.append(f"{int(hours)}h")
    if minutes:
        out.append(f"{int(minutes)}m")
    if secs or not out:
        out.append(f"{secs:g}s")
    return sign + "".join(out)


# ----------------------------------------------------------------- addresses


@dataclass(frozen=True)
class Address:
    """An entrypoint address: ``[host]:port[/tcp|/udp]``."""

    host: str  # "" for the wildcard address (":80", "0.0.0.0:80", "[::]:80")
    port: int | None  # None when not a number (a service name, an interpolation)
    protocol: str  # "tcp" | "udp"
    text: str

    @property
    def wildcard(self) -> bool:
        return self.host == ""


_WILDCARD_HOSTS = {"", "0.0.0.0", "::", "[::]"}


def parse_address(text: str | None) -> Address | None:
    """An entrypoint ``address`` as Traefik splits it (``EntryPoint.GetAddress``/``GetProtocol``).

    None when the text is not ``host:port`` (Traefik then fails to listen).
    """
    if text is None or is_templated(text):
        return None  # holds a template action: not known before rendering
    raw = text.strip()
    addr, slash, proto = raw.partition("/")
    protocol = proto.lower() if slash else "tcp"
    if protocol not in ("tcp", "udp"):
        return None
    if addr.startswith("["):
        end = addr.find("]")
        if end < 0 or addr[end + 1: end + 2] != ":":
            return None
        host, port_text = addr[1:end], addr[end + 2:]
    else:
        host, colon, port_text = addr.rpartition(":")
        if not colon:
            return None
        if ":" in host:
            return None  # an IPv6 address must be bracketed
    host = "" if host in _WILDCARD_HOSTS else host.lower()
    port = int(port_text) if port_text.isdigit() else None
    return Address(host, port, protocol, raw)


# ------------------------------------------------------------- compose ports


@dataclass(frozen=True)
class PortMapping:
    published: int | None  # host port; None: not published on a fixed host port
    target: int
    protocol: str


def compose_ports(service: CNode) -> list[PortMapping] | None:
    """The ``ports:`` of a compose service; None when they cannot all be read (ranges, variables)."""
    node = service.get("ports") if service.is_map else None
    if node is None:
        return []
    if not node.is_seq:
        return None
    out: list[PortMapping] = []
    for item in node.items:
        if item.is_map:
            target, published, proto = item.get("target"), item.get("published"), item.get("protocol")
            t = _port(target.text() if target is not None else None)
            if t is None:
                return None
            p = _port(published.text() if published is not None else None)
            if published is not None and p is None:
                return None
            out.append(PortMapping(p, t, (proto.text() if proto is not None else None) or "tcp"))
            continue
        text = (item.text() or "").strip()
        spec, _, proto = text.partition("/")
        parts = spec.rsplit(":", 2) if not spec.startswith("[") else None
        if parts is None or "$" in spec or "-" in spec:
            return None
        if len(parts) == 1:
            t = _port(parts[0])
            if t is None:
                return None
            out.append(PortMapping(None, t, proto or "tcp"))
            continue
        t, p = _port(parts[-1]), _port(parts[-2])
        if t is None or (parts[-2] and p is None):
            return None
        out.append(PortMapping(p, t, proto or "tcp"))
    return out


def _port(text: str | None) -> int | None:
    if text is None:
        return None
    t = text.strip().strip("\"'")
    return int(t) if t.isdigit() else None


# ------------------------------------------------------------ static options


def option_label(origin: str, dotted: str) -> str:
    """How a static option is written in its source: ``api.debug``, ``--api.debug``, ``TRAEFIK_API_DEBUG``."""
    if origin == "flags":
        return f"--{dotted}"
    if origin == "env":
        return "TRAEFIK_" + dotted.upper().replace(".", "_")
    return dotted



def find_written(root: CNode, dotted: str) -> tuple[CNode | None, str]:
    """``root.find(dotted)`` and the path spelled as the source writes its keys (``entryPoints.web.address``)."""
    node: CNode | None = root
    written: list[str] = []
    for part in dotted.split("."):
        node = node.get(part) if node is not None else None
        if node is None:
            return None, dotted
        written.append(node.key or part)
    return node, ".".join(written)



# ------------------------------------------------------------------ routers


def router_entry_points(router, entry_points: dict[str, CNode]) -> tuple[list[str], bool]:
    """The entrypoints a router is attached to, and whether it names them itself.

    A router without ``entryPoints`` (file, labels) or ``spec.entryPoints``
    (IngressRoute*) is attached to the default entrypoints: those with
    ``asDefault: true`` if any, else every TCP entrypoint except ``traefik``
    (``getDefaultsEntrypoints`` in ``cmd/traefik``).  ``entry_points`` is
    :meth:`Project.entry_points`; with none known the default list is empty.
    """
    node = None
    if router.source == "crd":
        spec = router.manifest.get("spec") if router.manifest is not None else None
        node = spec.get("entryPoints") if spec is not None else None
    elif router.node.is_map:
        node = router.node.get("entryPoints")
    names = [n.text().strip() for n in (node.as_list() if node is not None else []) if n.text()]
    if names:
        return names, True
    tcp = {name: ep for name, ep in entry_points.items() if _ep_protocol(ep) == "tcp"}
    marked = [name for name, ep in tcp.items() if _as_default(ep)]
    if marked:
        return marked, False
    return [name for name in tcp if name != "traefik"], False


def _ep_protocol(ep: CNode) -> str:
    addr = ep.get("address") if ep.is_map else None
    parsed = parse_address(addr.text() if addr is not None else None)
    return parsed.protocol if parsed is not None else "tcp"


def _as_default(ep: CNode) -> bool:
    node = ep.get("asDefault") if ep.is_map else None
    return node is not None and node.as_bool() is True


# ------------------------------------------------------- who runs a static config


def compose_runners(project, static) -> list:
    """The compose services (``ComposeService``) that run Traefik with this static configuration.

    Flags and environment belong to one service (``StaticConfig.owner``).  A
    configuration file may be mounted by any Traefik service that reads a
    file (``config_file`` set); all of them are returned.  Kubernetes
    workloads are not compose services and never appear here.
    """
    out = []
    for cf in project.compose_files:
        for svc in cf.services:
            if not svc.is_traefik:
                continue
            if static.origin in ("flags", "env"):
                if cf.path == static.path and static.owner == f'compose service "{svc.name}"':
                    out.append(svc)
            elif svc.config_file:
                out.append(svc)
    return out


def host_ports(svc, port: int) -> list[int] | None:
    """Host ports on which a compose service publishes container port ``port`` (TCP); None when unknown."""
    mode = svc.node.get("network_mode") if svc.node.is_map else None
    if mode is not None and (mode.text() or "") == "host":
        return [port]
    mappings = compose_ports(svc.node)
    if mappings is None:
        return None
    return [m.published for m in mappings if m.target == port and m.protocol == "tcp" and m.published is not None]


# --------------------------------------------------------------- health checks

HEALTHCHECK_INTERVAL = 30.0  # dynamic.DefaultHealthCheckInterval
HEALTHCHECK_TIMEOUT = 5.0  # dynamic.DefaultHealthCheckTimeout


def health_checks(project) -> list[tuple]:
    """``(service resource, healthCheck node, protocol)`` for every active health check of the project.

    File provider and labels: ``<proto>.services.<name>.loadBalancer.healthCheck``
    (HTTP, and TCP in v3).  CRDs: every ``healthCheck`` map inside an
    IngressRoute's services or a TraefikService.
    """
    out = []
    for res in project.resources:
        if not res.active:
            continue
        if res.kind == "service" and res.source != "crd" and res.node.is_map:
            hc = res.node.find("loadBalancer.healthCheck")
            if hc is not None and hc.is_map:
                out.append((res, hc, res.protocol))
        elif res.source == "crd" and res.crd_kind in ("IngressRoute", "TraefikService"):
            for node in res.node.walk():
                if node.is_map and (node.key or "").lower() == "healthcheck" and node is not res.node:
                    out.append((res, node, "http"))
    return out


def go_duration(text: str | None) -> float | None:
    """Go's ``time.ParseDuration`` alone: a bare number other than 0 is invalid (Traefik v2 health checks)."""
    if text is None:
        return None
    return catalog.parse_go_duration(text.strip())


def hc_duration(node: CNode | None, version: int) -> float | None:
    """A health-check duration as the given Traefik major reads it (v2: Go durations only)."""
    if node is None or not node.is_scalar or isinstance(node.value, (bool, float)):
        return None
    return parse_duration(node.text()) if version >= 3 else go_duration(node.text())
