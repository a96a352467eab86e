"""GitHub Actions annotations (workflow commands)."""

from __future__ import annotations


from click.testing import CliRunner

from golint_traefik.cli import cli
from golint_traefik.finding import Finding, Related, Severity, Span
from golint_traefik.report.github import escape_data, escape_property, render_github


def finding(message="m", severity=Severity.ERROR, span=Span("a.yml", 3, 5, 3, 9), **kw) -> Finding:
    return Finding("TR401", "api-insecure", severity, message, span, **kw)


def test_message_escaping(tmp_path):
    out = render_github([finding("100% broken:: see a,b\nnext line\r")], cwd=str(tmp_path))
    assert out == ("::error file=a.yml,line=3,endLine=3,col=5,endColumn=9,title=TR401 api-insecure"
                   "::100%25 broken:: see a,b%0Anext line%0D\n")


def test_property_escaping(tmp_path):
    assert escape_property("C:\\x,y%z\n") == "C%3A\\x%2Cy%25z%0A"
    assert escape_data("a:b,c%d\r\n") == "a:b,c%25d%0D%0A"
    out = render_github([finding(span=Span("dir,1/x:y.yml", 1, 1, 1, 2))], cwd=str(tmp_path))
    assert out.startswith("::error file=dir%2C1/x%3Ay.yml,line=1,")


def test_severity_commands_and_multiline_spans(tmp_path):
    out = render_github([
        finding(severity=Severity.WARNING),
        finding(severity=Severity.NOTE, span=Span("a.yml", 3, 5, 6, 2)),
    ], cwd=str(tmp_path)).splitlines()
    assert out[0].startswith("::warning file=a.yml,line=3,endLine=3,col=5,endColumn=9,")
    # Columns on a multi-line span make GitHub drop the annotation: leave them out.
    assert out[1] == "::notice file=a.yml,line=3,endLine=6,title=TR401 api-insecure::m"


def test_related_and_fix_follow_the_message(tmp_path):
    f = finding(related=(Related(Span("b.yml", 7, 2, 7, 4), "defined here"),), fix="remove it")
    out = render_github([f], cwd=str(tmp_path))
    assert out.endswith("::m%0Arelated: b.yml:7:2: defined here%0Afix: remove it\n")


def test_paths_are_relative_to_the_repository_root(tmp_path):
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "deploy"
    sub.mkdir()
    out = render_github([finding(span=Span("traefik.yml", 2, 1, 2, 3))], cwd=str(sub))
    assert out.startswith("::error file=deploy/traefik.yml,line=2,")
    assert render_github([], cwd=str(sub)) == ""


def test_cli_github_format(monkeypatch, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "traefik.yml").write_text("api:\n  dashboard: true\n  insecure: true\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "deploy")
    res = CliRunner().invoke(cli, ["check", "--format", "github", "--select", "TR401", "."])
    assert res.exit_code == 1
    [line] = [x for x in res.stdout.splitlines() if x.startswith("::")]
    assert line == ("::error file=deploy/traefik.yml,line=3,endLine=3,col=3,endColumn=11,"
                    "title=TR401 api-insecure::api.insecure publishes the API and dashboard without authentication "
                    "on the 'traefik' entrypoint%0Afix: remove api.insecure and route api@internal through an "
                    "authenticated router")
