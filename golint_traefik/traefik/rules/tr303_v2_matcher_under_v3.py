"""TR303 v2-matcher-under-v3: a v2-only matcher or a v2 argument list in a rule parsed with the v3 syntax."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.rulelang import MATCHERS, V3_REPLACEMENT, router_rules, suggest_v3


@traefik_rule("TR303")
def check(p: TraefikPass) -> None:
    for rr in router_rules(p.project):
        if rr.syntax != "v3" or rr.parsed.error is not None:
            continue
        why = "" if rr.syntax_reason == "Traefik v3" else f" ({rr.syntax_reason})"
        for m in rr.parsed.matchers:
            fix = suggest_v3(m, rr.text)
            if m.problem == "other-syntax" and m.suggestion in V3_REPLACEMENT:
                what = f"{m.name} is v2 rule syntax, unknown to the v3 parser{why}, so Traefik rejects the rule"
            elif (m.spec is not None and m.spec.arities == (1,) and len(m.args) > 1
                  and m.spec.name in MATCHERS[("v2", rr.protocol)]):
                what = (f"{m.canonical} takes one argument under the v3 syntax{why}; the list of {len(m.args)} "
                        "values is v2 syntax and Traefik rejects the rule")
            else:
                continue
            message = f"rule of {rr.owner()}: {what}"
            if fix:
                message += f"; write {fix}"
            p.report(rr.span(m.start, m.end), message, fix=f"replace with {fix}" if fix else "rewrite the matcher in v3 syntax")
