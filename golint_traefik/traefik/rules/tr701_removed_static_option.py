"""TR701 removed-static-option: a Traefik v2 install option that makes Traefik v3 refuse to start."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.values import option_label

_OTLP = "use tracing.otlp (OpenTelemetry) and an exporter for your backend"
_CA_OPTIONAL = "remove it: TLS client authentication is a server-side option"
# (dotted path, what to do instead); pkg/cli/deprecation.go, plus v2 options v3 no longer knows at all.
REMOVED = (
    ("pilot", "remove it: Traefik Pilot was shut down"),
    ("providers.docker.swarmMode", "use the providers.swarm provider"),
    ("providers.docker.swarmModeRefreshSeconds", "use providers.swarm.refreshSeconds"),
    ("providers.docker.tls.caOptional", _CA_OPTIONAL),
    ("providers.swarm.tls.caOptional", _CA_OPTIONAL),
    ("providers.consul.namespace", "use providers.consul.namespaces"),
    ("providers.consul.tls.caOptional", _CA_OPTIONAL),
    ("providers.consulCatalog.namespace", "use providers.consulCatalog.namespaces"),
    ("providers.consulCatalog.endpoint.tls.caOptional", _CA_OPTIONAL),
    ("providers.nomad.namespace", "use providers.nomad.namespaces"),
    ("providers.nomad.endpoint.tls.caOptional", _CA_OPTIONAL),
    ("providers.etcd.tls.caOptional", _CA_OPTIONAL),
    ("providers.redis.tls.caOptional", _CA_OPTIONAL),
    ("providers.zooKeeper.tls.caOptional", _CA_OPTIONAL),
    ("providers.http.tls.caOptional", _CA_OPTIONAL),
    ("providers.marathon", "remove it: the Marathon provider no longer exists"),
    ("providers.rancher", "remove it: the Rancher v1 provider no longer exists"),
    ("experimental.http3", "remove it and enable HTTP/3 per entrypoint with entryPoints.<name>.http3"),
    ("metrics.influxDB", "use metrics.influxDB2 or metrics.otlp"),
    ("tracing.spanNameLimit", "remove it: span names have a fixed length in v3"),
    ("tracing.jaeger", _OTLP),
    ("tracing.zipkin", _OTLP),
    ("tracing.datadog", _OTLP),
    ("tracing.instana", _OTLP),
    ("tracing.haystack", _OTLP),
    ("tracing.elastic", _OTLP),
)


@traefik_rule("TR701")
def check(p: TraefikPass) -> None:
    if p.version < 3:
        return
    # Traefik's deprecation loader reads the flags, the configuration file and the TRAEFIK_* variables
    # before anything else, whichever of them is then used: check every source, not only the effective one.
    for static in p.project.static_configs:
        for dotted, instead in REMOVED:
            node = static.root
            written = []
            for part in dotted.split("."):
                node = node.get(part) if node is not None else None
                if node is None:
                    break
                written.append(node.key or part)
            if node is None:
                continue
            p.report(node.where,
                     f"{option_label(static.origin, '.'.join(written))} was removed in Traefik v3, which refuses to "
                     "start with it; " + instead,
                     fix=instead)
