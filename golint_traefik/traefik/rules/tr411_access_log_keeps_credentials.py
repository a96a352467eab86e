"""TR411 access-log-keeps-credentials: JSON/OTLP access logs keep the Authorization, Cookie or Proxy-Authorization headers."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.values import find_written, option_label

# Request headers that carry credentials, as Go canonicalises them (the access log looks names up that way).
SENSITIVE = ("Authorization", "Cookie", "Proxy-Authorization")
_KEEP, _DROP, _REDACT = "keep", "drop", "redact"


@traefik_rule("TR411")
def check(p: TraefikPass) -> None:
    for static in p.project.static:
        log = static.root.get("accessLog")
        if log is None or (log.is_scalar and log.as_bool() is False):
            continue
        fmt = log.get("format") if log.is_map else None
        otlp = log.get("otlp") if log.is_map else None
        # Only the JSON formatter and the OTLP exporter write request headers; CLF lines have no header fields.
        if not ((fmt is not None and fmt.text() == "json") or otlp is not None):
            continue
        headers, written = find_written(static.root, "accessLog.fields.headers")
        if headers is None or not headers.is_map:
            continue
        names = headers.get("names")
        overrides = {}
        for key, node in names.mapping() if names is not None and names.is_map else ():
            overrides.setdefault(_canonical(key), node)
        default = headers.get("defaultMode")
        default_mode = _mode(default, _DROP)
        sink = "OTLP access logs" if fmt is None or fmt.text() != "json" else "JSON access log"
        kept_by_default = []
        for header in SENSITIVE:
            node = overrides.get(header)
            mode = _mode(node, default_mode) if node is not None else default_mode
            if mode != _KEEP:
                continue
            if node is not None and node.is_scalar and node.text() == _KEEP:
                p.report(node.where,
                         f"{option_label(static.origin, written + '.names.' + (node.key or header))} is keep: "
                         f"the {sink} records every request's {header} header in clear",
                         fix="set it to redact (or drop), or remove the entry")
            else:
                kept_by_default.append(header)
        if kept_by_default and default is not None:
            p.report(default.where,
                     f"{option_label(static.origin, written + '.' + (default.key or 'defaultMode'))} is keep and "
                     f"{', '.join(kept_by_default)} {'is' if len(kept_by_default) == 1 else 'are'} not dropped or "
                     f"redacted: the {sink} records these credentials in clear",
                     fix="add names: {" + ", ".join(f"{h}: redact" for h in kept_by_default) + "}")


def _canonical(name: str) -> str:
    """net/textproto.CanonicalMIMEHeaderKey for the simple names used here."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def _mode(node, fallback: str) -> str:
    """checkFieldHeaderValue: keep/drop/redact exactly, anything else means the fallback."""
    text = node.text() if node is not None and node.is_scalar else None
    return text if text in (_KEEP, _DROP, _REDACT) else fallback
