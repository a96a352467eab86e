"""TR310 invalid-rule-syntax-value: ruleSyntax / syntax / core.defaultRuleSyntax other than v2 or v3."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.gotemplate import is_templated
from golint_traefik.traefik.resources import ROUTER
from golint_traefik.traefik.rulelang import syntax_node

_VALID = ("v2", "v3")


@traefik_rule("TR310")
def check(p: TraefikPass) -> None:
    project = p.project
    if project.version < 3:
        return  # Traefik v2 has no ruleSyntax option
    for s in project.static:
        node = s.root.find("core.defaultRuleSyntax")
        if node is None or not node.is_scalar or node.text() in _VALID or is_templated(node.text()):
            continue
        value = node.text() or ""
        p.report(node, f'core.defaultRuleSyntax is "{value}"; Traefik accepts only v2 or v3 and refuses to start '
                       f'("unsupported default rule syntax configuration"){_case_hint(value)}',
                 fix="set core.defaultRuleSyntax to v3, or remove it")
    for res in project.resources:
        if res.kind != ROUTER or res.protocol not in ("http", "tcp"):
            continue
        node = syntax_node(res)
        if node is None or not node.is_scalar or node.value is None:
            continue
        value = node.text() or ""
        if value in _VALID or value == "" or is_templated(value) or res.templated:
            continue
        key = "syntax" if res.source == "crd" else "ruleSyntax"
        p.report(node, f'{res.describe()} sets {key} "{value}"; only v2 and v3 exist, and Traefik silently parses the '
                       f"rule with the v3 syntax{_case_hint(value)}",
                 fix=f"set {key} to v2 or v3, or remove it")


def _case_hint(value: str) -> str:
    low = value.strip().lower()
    if low in _VALID and value != low:
        return f"; write {low}"
    return ""
