"""What fixtures cannot say: severities that depend on the go directive, related locations, overrides."""

from __future__ import annotations

from golint_traefik.engine import Settings, run
from golint_traefik.finding import Severity

TICKERS = """package p

import "time"

func local() {
	t := time.NewTicker(time.Second)
	<-t.C
}

func goroutine(beat func()) {
	t := time.NewTicker(time.Second)
	go func() {
		for range t.C {
			beat()
		}
	}()
}
"""


def lint(tmp_path, rule, src, **settings):
    (tmp_path / "x.go").write_text(src)
    opts = {"selected": frozenset({rule}), "jobs": 1, **settings}
    return [f for f in run(["x.go"], Settings(**opts), str(tmp_path)).findings if f.rule_id == rule]


def test_unstopped_ticker_severity_follows_the_go_directive(tmp_path):
    old = lint(tmp_path, "GO302", TICKERS, go_version=(1, 22))
    assert [(f.span.line, f.severity) for f in old] == [(6, Severity.WARNING), (11, Severity.WARNING)]
    new = lint(tmp_path, "GO302", TICKERS, go_version=(1, 23))
    # Collected once unreachable since 1.23; a goroutine that keeps reading it keeps it alive.
    assert [(f.span.line, f.severity) for f in new] == [(6, Severity.NOTE), (11, Severity.WARNING)]
    assert [r.span.line for r in new[1].related] == [11, 12]


def test_unstopped_ticker_respects_a_severity_override(tmp_path):
    got = lint(tmp_path, "GO302", TICKERS, go_version=(1, 24), severity_overrides={"GO302": Severity.ERROR})
    assert {f.severity for f in got} == {Severity.ERROR}


def test_lost_cancel_points_at_the_variable_and_the_call(tmp_path):
    src = 'package p\n\nimport "context"\n\nfunc f(p context.Context) context.Context {\n' \
          '\tctx, _ := context.WithCancel(p)\n\treturn ctx\n}\n'
    (finding,) = lint(tmp_path, "GO301", src)
    assert (finding.span.line, finding.span.col, finding.span.end_col) == (6, 7, 8)
    assert [(r.span.line, r.span.col) for r in finding.related] == [(6, 12)]
    assert "defer cancel()" in finding.fix


def test_waitgroup_add_relates_the_go_statement_and_the_wait(tmp_path):
    src = 'package p\n\nimport "sync"\n\nfunc f(jobs []func()) {\n\tvar wg sync.WaitGroup\n' \
          '\tfor _, j := range jobs {\n\t\tgo func(j func()) {\n\t\t\twg.Add(1)\n\t\t\tdefer wg.Done()\n' \
          '\t\t\tj()\n\t\t}(j)\n\t}\n\twg.Wait()\n}\n'
    (finding,) = lint(tmp_path, "GO201", src)
    assert finding.span.line == 9 and finding.severity == Severity.ERROR
    assert [r.span.line for r in finding.related] == [8, 14]
    assert finding.fix == "call wg.Add(1) before the go statement"
