"""TR305 v3-query-key-equals: Query(`key=value`), the v2 form, in a rule parsed with the v3 syntax."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.rulelang import matchers


@traefik_rule("TR305")
def check(p: TraefikPass) -> None:
    for rr, m in matchers(p.project, "v3"):
        if m.canonical not in ("Query", "QueryRegexp") or not m.args or "=" not in m.args[0].value:
            continue
        pairs = [a.value.split("=", 1) for a in m.args]
        if len(m.args) == 2 and all(len(kv) == 2 for kv in pairs):
            rewrite = " && ".join(f"{m.canonical}(`{k}`, `{v}`)" for k, v in pairs)
            what = (f"{m.source(rr.text)} is a v2 list of key=value pairs; under v3 it means key "
                    f"\"{m.args[0].value}\" equal to \"{m.args[1].value}\"")
        else:
            key, value = pairs[0]
            rewrite = f"Query(`{key}`, `{value}`)" if len(m.args) == 1 else None
            what = (f"{m.canonical} takes the key and the value as separate arguments under v3, so this matches "
                    f"a parameter literally named \"{m.args[0].value}\"")
        message = f"rule of {rr.owner()}: {what}, which no request has"
        if rewrite:
            message += f"; write {rewrite}"
        p.report(rr.span(m.start, m.end), message, fix=f"replace with {rewrite}" if rewrite else "split key and value")
