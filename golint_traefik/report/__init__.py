"""Reports: text (terminals and editors), JSON, SARIF 2.1.0 and GitHub annotations.

Every format is rendered from the same sorted list of findings; rule
descriptions come from the registry (the rule documents in ``rules/``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # pragma: no cover
    from golint_traefik.engine import RunResult
    from golint_traefik.finding import Finding
    from golint_traefik.registry import Registry, RuleMeta


def render(fmt: str, findings: "list[Finding]", *, registry: "Registry", result: "RunResult", cwd: str,
           color: bool = False, sarif_category: str | None = None) -> str:
    if fmt == "text":
        from golint_traefik.report.text import render_text

        return render_text(findings, color=color)
    if fmt == "json":
        from golint_traefik.report.jsonfmt import render_json

        return render_json(findings, result)
    if fmt == "sarif":
        from golint_traefik.report.sarif import render_sarif

        return render_sarif(findings, registry, cwd=cwd, category=sarif_category)
    if fmt == "github":
        from golint_traefik.report.github import render_github

        return render_github(findings)
    raise ValueError(f"unknown format {fmt!r}")


def rules_listing(metas: "Iterable[RuleMeta]", fmt: str) -> str:
    metas = list(metas)
    if fmt == "json":
        import json

        return json.dumps(
            [
                {"id": m.id, "slug": m.slug, "severity": m.severity.label, "tags": list(m.tags), "summary": m.summary,
                 "target": m.target, "default": m.default_enabled, "versions": m.versions}
                for m in metas
            ],
            indent=2,
        ) + "\n"
    if fmt == "markdown":
        lines = ["| id | slug | severity | default | tags | what it finds |", "|---|---|---|---|---|---|"]
        for m in metas:
            summary = m.summary.replace("|", "\\|")
            lines.append(f"| {m.id} | `{m.slug}` | {m.severity.label} | {'on' if m.default_enabled else 'opt-in'} | "
                         f"{', '.join(m.tags)} | {summary} |")
        return "\n".join(lines) + "\n"
    width = max((len(m.slug) for m in metas), default=10)
    out = []
    for m in metas:
        flag = "" if m.default_enabled else " (opt-in)"
        tags = ",".join(m.tags)
        out.append(f"{m.id:6s} {m.slug:<{width}}  {m.severity.label:7s}  [{tags}]  {m.summary}{flag}")
    return "\n".join(out) + "\n"


def explain_text(meta: "RuleMeta") -> str:
    head = f"{meta.id} {meta.slug}\n"
    facts = [f"severity: {meta.severity.label}", f"applies to: {meta.target}"]
    if meta.tags:
        facts.append(f"tags: {', '.join(meta.tags)}")
    if meta.versions:
        facts.append(f"versions: {meta.versions}")
    if not meta.default_enabled:
        facts.append("opt-in (enable with --extend-select)")
    return head + "=" * (len(head) - 1) + "\n" + meta.summary + "\n\n" + "; ".join(facts) + "\n\n" + meta.doc
