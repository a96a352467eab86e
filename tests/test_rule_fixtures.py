"""Every rule is tested by its fixtures; every rule has positive and near-miss negative cases."""

from __future__ import annotations

import pytest

from fixture_harness import FIXTURES, check_case, parse_expectations, rule_cases
from golint_traefik.registry import load_registry

RULES = [r.meta for r in load_registry() if r.meta.target != "engine" and not r.meta.retired]
CASES = [(m.id, c) for m in RULES for c in rule_cases(m.id)]


@pytest.mark.parametrize("rule_id,case", CASES, ids=[f"{rid}/{c.name}" for rid, c in CASES])
def test_fixture_case(rule_id, case):
    problems = check_case(rule_id, case)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("meta", RULES, ids=[m.id for m in RULES])
def test_rule_has_positive_and_negative_fixtures(meta):
    cases = rule_cases(meta.id)
    assert cases, f"{meta.id} ({meta.slug}) has no fixtures under {FIXTURES / meta.id}"
    wants = oks = 0
    for c in cases:
        w, _, n_ok = parse_expectations(c, FIXTURES.parent)
        wants += len(w)
        oks += n_ok
    assert wants >= 1, f"{meta.id}: no 'want' expectation in its fixtures"
    assert oks >= 1, f"{meta.id}: no near-miss 'ok:' line in its fixtures"
