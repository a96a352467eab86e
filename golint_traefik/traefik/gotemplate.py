"""Go template actions (``{{ ... }}``) in configuration files.

Traefik renders every file-provider file as a Go template before decoding
it, and Helm charts are Go templates too.  We cannot render them, so the
actions are blanked out before parsing, keeping every other character where
it was (positions stay exact):

* an action alone on its line (``{{- if .Values.x }}``, ``{{ end }}``)
  becomes spaces, so the structure around it still parses;
* an action inside a line (``address: "http://auth.{{env "DOMAIN"}}"``)
  becomes a run of :data:`MARK` characters, so the value survives as a
  recognisably templated string.

A name, namespace or reference holding :data:`MARK` is not known before
rendering; the model treats it as unknown rather than wrong.
"""

from __future__ import annotations

import re

MARK = "\u00a4"  # "¤": never produced by the blanking of a real file's own text
_ACTION = re.compile(r"\{\{.*?\}\}", re.S)


def untemplate(text: str) -> tuple[str, bool]:
    """``text`` with template actions blanked, and whether it had any."""
    if "{{" not in text:
        return text, False
    out: list[str] = []
    last = 0
    found = False
    for m in _ACTION.finditer(text):
        found = True
        start, end = m.span()
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        alone = not text[line_start:start].strip() and not text[end:line_end].strip()
        fill = " " if alone else MARK
        out.append(text[last:start])
        out.append("".join(c if c == "\n" else fill for c in m.group(0)))
        last = end
    out.append(text[last:])
    return "".join(out), found


def is_templated(text: str | None) -> bool:
    return bool(text) and MARK in text
