"""What a rule receives: a *pass* holding the parsed input, the rule's options and ``report``.

Rules never read files, parse, or keep global state; they look at the pass
and call :meth:`Pass.report`.  The engine creates one pass per (rule, unit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from golint_traefik.finding import Finding, Related, Severity, Span

if TYPE_CHECKING:  # pragma: no cover
    from golint_traefik.go.source import GoFile, GoPackage
    from golint_traefik.registry import RuleMeta


class Pass:
    def __init__(self, meta: "RuleMeta", severity: Severity, options: dict[str, Any], sink: list[Finding]):
        self.meta = meta
        self.severity = severity
        self.options = {**meta.options, **options}
        self._sink = sink

    def _span(self, where: Any) -> Span:
        if isinstance(where, Span):
            return where
        span = getattr(where, "span", None)
        if isinstance(span, Span):
            return span
        raise TypeError(f"cannot report at {where!r}")

    def note_if(self, quieter: bool) -> Severity | None:
        """NOTE when ``quieter`` and the user kept the rule's default severity, else None (the pass's
        severity): for findings that matter less in a context (tests, a Go version), as overrides win."""
        return Severity.NOTE if quieter and self.severity == self.meta.severity else None

    def report(
        self,
        where: Any,
        message: str,
        *,
        fix: str | None = None,
        related: Iterable[tuple[Any, str]] = (),
        severity: Severity | None = None,
    ) -> None:
        """Record a finding at ``where`` (a node or a Span); ``related`` is ``(where, message)`` pairs."""
        self._sink.append(
            Finding(
                rule_id=self.meta.id,
                slug=self.meta.slug,
                severity=severity or self.severity,
                message=message,
                span=self._span(where),
                fix=fix,
                related=tuple(Related(self._span(w), m) for w, m in related),
            )
        )


class GoPass(Pass):
    """Pass for a Go rule: one file, with the other files of its directory's package."""

    def __init__(self, meta, severity, options, sink, file: "GoFile", package: "GoPackage"):
        super().__init__(meta, severity, options, sink)
        self.file = file
        self.package = package

    def _span(self, where: Any) -> Span:
        if hasattr(where, "start_point"):
            return self.file.span(where)
        return super()._span(where)


class TraefikPass(Pass):
    """Pass for a Traefik rule: the whole deployment model of the run."""

    def __init__(self, meta, severity, options, sink, project: Any):
        super().__init__(meta, severity, options, sink)
        self.project = project

    @property
    def version(self) -> int:
        return self.project.version
