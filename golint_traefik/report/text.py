"""Text format: ``path:line:col: ID [severity] message (slug)``, one finding per line.

Editors parse this with a problem matcher (VS Code) or errorformat (vim);
related locations follow on indented lines that such matchers skip.
"""

from __future__ import annotations

from golint_traefik.finding import Finding, Severity

_COLORS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.NOTE: "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def clean(text: str) -> str:
    """One line of text: control characters (newlines included) shown escaped, never raw."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def render_text(findings: list[Finding], color: bool = False) -> str:
    out: list[str] = []
    for f in findings:
        s = f.span
        sev = f.severity.label
        loc = f"{clean(s.path)}:{s.line}:{s.col}:"
        if color:
            c = _COLORS[f.severity]
            line = f"{_BOLD}{loc}{_RESET} {c}{f.rule_id} [{sev}]{_RESET} {clean(f.message)} {_DIM}({f.slug}){_RESET}"
        else:
            line = f"{loc} {f.rule_id} [{sev}] {clean(f.message)} ({f.slug})"
        out.append(line)
        for r in f.related:
            out.append(f"    related: {clean(r.span.path)}:{r.span.line}:{r.span.col}: {clean(r.message)}")
        if f.fix:
            out.append(f"    fix: {clean(f.fix)}")
    return "\n".join(out) + ("\n" if out else "")
