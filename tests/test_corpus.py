"""The linter on real Traefik YAML nobody here wrote: ../shared/corpus/traefik-docs.

Zero internal errors on the whole corpus, and zero unknown-option or wrong-type
findings on its reference files (which list every option Traefik has).
"""

from __future__ import annotations

import os

from conftest import shared_path

from golint_traefik.engine import Settings, run
from golint_traefik.registry import load_registry


def _run(root):
    settings = Settings(selected=frozenset(load_registry().default_selection()), jobs=1)
    return run(["."], settings, str(root))


def test_docs_corpus_has_no_internal_errors():
    root = shared_path("corpus", "traefik-docs")
    result = _run(root)
    crashes = [f"{f.path}: {f.message}" for f in result.findings if f.rule_id == "E003"]
    assert result.files_checked > 100
    assert not crashes, "\n".join(crashes)


def test_reference_files_have_no_unknown_options():
    root = shared_path("corpus", "traefik-docs", "reference")
    result = _run(root)
    unknown = [f"{f.path}:{f.span.line}: {f.rule_id} {f.message}" for f in result.findings
               if f.rule_id in ("TR101", "TR103", "TR104", "TR111", "E003")]
    assert os.listdir(root)
    assert not unknown, "\n".join(unknown)
