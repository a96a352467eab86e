"""What the "undefined X" rules (TR201, TR202, TR204, TR206) share: the references of a kind that
resolve to nothing, and the finding that says so, with the model's note, its "did you mean" and the
definitions it found elsewhere."""

from __future__ import annotations

from typing import Iterator

from golint_traefik.traefik.model import MISSING


def missing(project, kind: str) -> Iterator[tuple[object, object]]:
    """(reference, resolution) for each reference of ``kind`` that no loaded configuration defines."""
    for ref in project.references(kind):
        res = project.resolve(ref)
        if res.status == MISSING:
            yield ref, res


def report(p, ref, res, what: str, message: str, *, remedy: str = "or remove the reference") -> None:
    """Report ``message`` at the reference, completed with the resolution's note and suggestion."""
    if res.note:
        message += f"; {res.note}"
    if res.suggestion:
        message += f'; did you mean "{res.suggestion}"?'
    fix = f'use "{res.suggestion}"' if res.suggestion else f'define {what} "{ref.name}" {remedy}'
    p.report(ref.node, message, related=[(t.where, f"{what} defined here") for t in res.targets], fix=fix)
