"""The Go rule documents tell the truth: every "Example" is reported, every "Use instead" is clean."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from golint_traefik.engine import Settings, run

RULES = Path(__file__).resolve().parents[1] / "rules"
DOCS = sorted(RULES.glob("GO*.md"))
PRELUDE = 'package p\n\nimport (\n\t"context"\n\t"io"\n\t"net/http"\n\t"sync"\n\t"time"\n)\n\n'


def section_code(doc: str, title: str) -> str:
    body = doc.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    return "\n".join(re.findall(r"```go\n(.*?)```", body, re.S))


@pytest.mark.parametrize("doc", DOCS, ids=[d.stem for d in DOCS])
def test_examples_are_reported_and_fixes_are_clean(doc, tmp_path):
    text = doc.read_text(encoding="utf-8")
    rule = doc.name.split("-", 1)[0]
    results = {}
    for title in ("Example", "Use instead"):
        code = section_code(text, title)
        assert code, f"{doc.name}: no ```go block under {title}"
        path = tmp_path / f"{title.split()[0].lower()}.go"
        path.write_text(PRELUDE + code)
        found = run([path.name], Settings(selected=frozenset({rule}), jobs=1), str(tmp_path)).findings
        assert not [f for f in found if f.rule_id.startswith("E")], [f.message for f in found]
        results[title] = [f for f in found if f.rule_id == rule]
    assert results["Example"], f"{doc.name}: the Example is not reported"
    assert not results["Use instead"], [f.message for f in results["Use instead"]]
