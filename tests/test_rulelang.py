"""The router rule language: parser, matcher tables, Go regexp validator, positions inside the rule."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from golint_traefik.engine import Settings
from golint_traefik.traefik import goregexp
from golint_traefik.traefik.model import build_project
from golint_traefik.traefik.rulelang import BinOp, Group, Not, parse, router_rules, spellings, templates

# ------------------------------------------------------------------ parser


def test_tree_shape_precedence_and_offsets():
    text = "Host(`a.example.com`) || !Path(\"/x\") && PathPrefix(`/y`)"
    r = parse(text)
    assert r.error is None and r.ok
    # && binds tighter than ||, as in Go
    assert isinstance(r.tree, BinOp) and r.tree.op == "||"
    right = r.tree.right
    assert isinstance(right, BinOp) and right.op == "&&"
    assert isinstance(right.left, Not)
    host, path, prefix = r.matchers
    assert (host.name, host.start, host.name_end, host.end) == ("Host", 0, 4, 21)
    assert text[host.args[0].start:host.args[0].end] == "`a.example.com`"
    assert path.negated and not prefix.negated and not host.negated
    assert path.args[0].quote == '"' and path.args[0].value == "/x"
    assert text[right.op_start:right.op_start + 2] == "&&"


def test_not_is_pushed_down_to_matchers():
    r = parse("!(Host(`a`) || !Path(`/b`))")
    assert isinstance(r.tree, Not) and isinstance(r.tree.operand, Group)
    assert [m.negated for m in r.matchers] == [True, False]


def test_interpreted_string_offsets_follow_escapes():
    text = 'PathRegexp("^/a\\\\d+\\x41$")'  # PathRegexp("^/a\\d+\x41$")
    r = parse(text)
    arg = r.matchers[0].args[0]
    assert arg.value == "^/a\\d+A$"
    assert text[arg.at(3)] == "\\"  # the escaped backslash starts at its first backslash
    assert text[arg.at(4)] == "d"
    assert text[arg.at(6):arg.at(6) + 4] == "\\x41"


@pytest.mark.parametrize(
    "text,code,fragment",
    [
        ("Host('a')", "quote", "'a'"),
        ("Host(a.example.com)", "unquoted", "a.example.com"),
        ("Path(/api/v1)", "unquoted", "/api/v1"),
        ("Host(`a`) and Path(`/b`)", "operator", "and"),
        ("Host(`a`) | Path(`/b`)", "operator", "|"),
        ("Host(`a`) == Path(`/b`)", "operator", "=="),
        ("-Host(`a`)", "operator", "-"),
        ("Host(`a`)\n&& Path(`/b`)", "newline", "\n"),
        ("Host(`a`\n)", "newline", "\n"),
        ('Path("\\d")', "escape", "\\d"),
        ("Host(`a`) &&", "syntax", ""),
        ("Host(Path(`/a`))", "syntax", "Path(`/a`)"),
        ("Host(1)", "unquoted", "1"),
        ("`a`", "not-a-matcher", "`a`"),
        ("Host", "not-a-matcher", "Host"),
        ("a.b(`x`)", "not-a-matcher", "a.b"),
        ("", "empty-rule", ""),
        ("  \n", "empty-rule", "  \n"),
    ],
)
def test_errors_point_at_the_offending_text(text, code, fragment):
    r = parse(text)
    assert r.error is not None, text
    assert r.error.code == code, r.error
    assert text[r.error.start:r.error.end] == fragment


@pytest.mark.parametrize(
    "text",
    [
        "Host(`a`) &&\nPath(`/b`)\n",  # a line break after an operator, and a final one
        "Host(`a`,)",  # trailing comma
        "Host(`a`) /* note */ && Path(`/b`) // trailing comment",
        "((Host(`a`)))",
        "!!Host(`a`)",
        "Host ( `a` )",
        "Host(`multi\nline`)",  # raw strings may span lines
    ],
)
def test_go_expression_corners_that_traefik_accepts(text):
    r = parse(text)
    assert r.error is None, r.error


def test_unterminated_backtick_mentions_the_count():
    r = parse("Host(`a) && Path(`/b`)")
    assert "odd number of backticks" in r.error.message


def test_casing_table_matches_pkg_rules_parser():
    assert spellings("PathPrefix") == {"PathPrefix", "pathprefix", "PATHPREFIX", "Pathprefix"}
    assert spellings("HostSNI") == {"HostSNI", "hostsni", "HOSTSNI", "Hostsni"}
    for name in ("PathPrefix", "pathprefix", "PATHPREFIX", "Pathprefix"):
        assert parse(f"{name}(`/a`)").ok
    bad = parse("pathPrefix(`/a`)").matchers[0]
    assert (bad.problem, bad.suggestion) == ("casing", "PathPrefix")


@pytest.mark.parametrize(
    "text,syntax,protocol,problem,suggestion",
    [
        ("Hots(`a`)", "v3", "http", "unknown", "Host"),
        ("Headers(`a`, `b`)", "v3", "http", "other-syntax", "Headers"),
        ("Header(`a`, `b`)", "v2", "http", "other-syntax", "Header"),
        ("PathRegexp(`^/a`)", "v2", "http", "other-syntax", "PathRegexp"),
        ("HostSNI(`a`)", "v3", "http", "other-protocol", "HostSNI"),
        ("Host(`a`)", "v3", "tcp", "other-protocol", "Host"),
        ("Frobnicate(`a`)", "v3", "http", "unknown", None),
    ],
)
def test_name_problems(text, syntax, protocol, problem, suggestion):
    m = parse(text, syntax, protocol).matchers[0]
    assert m.spec is None
    assert (m.problem, m.suggestion) == (problem, suggestion)


def test_v2_and_v3_tables():
    assert parse("Host(`a`, `b`)", "v2").matchers[0].spec.accepts(2)
    assert not parse("Host(`a`, `b`)", "v3").matchers[0].spec.accepts(2)
    assert parse("Query(`a`)", "v3").matchers[0].spec.accepts(1)
    assert not parse("Headers(`a`)", "v2").matchers[0].spec.accepts(1)
    assert parse("HeadersRegexp(`a`, `b`, `c`, `d`)", "v2").matchers[0].spec.regexp_indexes(4) == (1, 3)
    assert parse("QueryRegexp(`a`)").matchers[0].spec.regexp_indexes(1) == ()
    assert parse("HostSNIRegexp(`^a$`)", "v3", "tcp").matchers[0].spec.regexp_indexes(1) == (0,)


def test_mux_templates():
    found, err = templates("/users/{id:[0-9]{3}}/{name}")
    assert err is None
    assert [(t.name, t.pattern) for t in found] == [("id", "[0-9]{3}"), ("name", None)]
    assert templates("{a")[1] == "mux: unbalanced braces in '{a'"
    assert "missing name or pattern" in templates("/{:x}")[1]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="HostPath()`\"'&|!,. \n\\{}ab-/*", max_size=40))
def test_parser_never_raises(text):
    r = parse(text)
    assert (r.tree is None) == (r.error is not None)
    for m in r.matchers:
        assert 0 <= m.start <= m.name_end <= m.end <= len(text)


# ---------------------------------------------------------- Go regexps


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[a-z]+\.example\.com$", r"(?i)^a$", r"^/a\z", r"\A/a", r"[[:alpha:]]+", r"[[:^digit:]]", r"\pL\p{Greek}\PN",
        r"(?P<id>[0-9]+)", r"(?<name>x)", r"\Q.*+\E", r"a{2,3}?", r"a{2,}", r"x{1000}", r"a*?b+?c??", r"{id}",
        r"a{,5}", r"a{01}", r"[]a]", r"[^]a]", r"[a-]", r"\x41\x{1F600}\101\0", r"[\d\s\w.]", r"(?s:.)", r"(?U)a+",
        r"(?i-s:a)", r"()", r"a|", r"(|a)*", r"^*", r"\b+", r"\_", r"a(?i)*", "",
    ],
)
def test_go_accepts(pattern):
    assert goregexp.check(pattern) is None, goregexp.check(pattern)


@pytest.mark.parametrize(
    "pattern,code,expr",
    [
        (r"(?=a)", goregexp.INVALID_PERL_OP, "(?="),
        (r"(?!a)", goregexp.INVALID_PERL_OP, "(?!"),
        (r"(?>a)", goregexp.INVALID_PERL_OP, "(?>"),
        (r"(?#c)", goregexp.INVALID_PERL_OP, "(?#"),
        (r"(?P=n)", goregexp.INVALID_PERL_OP, "(?P"),
        (r"(?i-)", goregexp.INVALID_PERL_OP, "(?i-)"),
        (r"(?<=a)b", goregexp.INVALID_NAMED_CAPTURE, "(?<=a)b"),
        (r"(?<=a)b>", goregexp.INVALID_NAMED_CAPTURE, "(?<=a)b>"),
        (r"(?P<>a)", goregexp.INVALID_NAMED_CAPTURE, "(?P<>"),
        (r"(a)\1", goregexp.INVALID_ESCAPE, r"\1"),
        (r"\8", goregexp.INVALID_ESCAPE, r"\8"),
        (r"a\Z", goregexp.INVALID_ESCAPE, r"\Z"),
        (r"\C", goregexp.INVALID_ESCAPE, r"\C"),
        (r"[\b]", goregexp.INVALID_ESCAPE, r"\b"),
        (r"\xZ1", goregexp.INVALID_ESCAPE, r"\xZ1"),
        (r"a++", goregexp.INVALID_REPEAT_OP, "++"),
        (r"a**", goregexp.INVALID_REPEAT_OP, "**"),
        (r"a*??", goregexp.INVALID_REPEAT_OP, "*??"),
        (r"a{2}{3}", goregexp.INVALID_REPEAT_OP, "{2}{3}"),
        (r"*a", goregexp.MISSING_REPEAT_ARGUMENT, "*"),
        (r"(*)", goregexp.MISSING_REPEAT_ARGUMENT, "*"),
        (r"a|?", goregexp.MISSING_REPEAT_ARGUMENT, "?"),
        (r"(?i)+", goregexp.MISSING_REPEAT_ARGUMENT, "+"),
        (r"a{1001}", goregexp.INVALID_REPEAT_SIZE, "{1001}"),
        (r"a{3,2}", goregexp.INVALID_REPEAT_SIZE, "{3,2}"),
        (r"(a{500}){3}", goregexp.INVALID_REPEAT_SIZE, "{3}"),
        (r"[z-a]", goregexp.INVALID_CHAR_RANGE, "z-a"),
        (r"[[:foo:]]", goregexp.INVALID_CHAR_RANGE, "[:foo:]"),
        (r"\pX", goregexp.INVALID_CHAR_RANGE, r"\pX"),
        (r"[a", goregexp.MISSING_BRACKET, "[a"),
        (r"(a", goregexp.MISSING_PAREN, "(a"),
        (r"a)", goregexp.UNEXPECTED_PAREN, "a)"),
        ("a\\", goregexp.TRAILING_BACKSLASH, ""),
    ],
)
def test_go_rejects(pattern, code, expr):
    err = goregexp.check(pattern)
    assert err is not None, pattern
    assert (err.code, err.expr) == (code, expr)


def test_regexp_error_offset_points_at_the_construct():
    err = goregexp.check(r"^/api/(?!internal)")
    assert err.offset == 6 and err.go_message == "error parsing regexp: invalid or unsupported Perl syntax: `(?!`"


# ----------------------------------------------------- model and positions


def _project(files: dict[str, str], version: str = "auto"):
    settings = Settings(selected=frozenset(), traefik_version=version)
    return build_project([(p, textwrap.dedent(t).encode()) for p, t in files.items()], settings)


def _at(files, rr, start, end):
    """The source text the span of rule characters start:end covers (one line)."""
    span = rr.span(start, end)
    assert span.line == span.end_line
    line = textwrap.dedent(files[span.path]).splitlines()[span.line - 1]
    return line[span.col - 1:span.end_col - 1]


FILES = {
    "dynamic.yml": """\
        http:
          routers:
            plain:
              rule: Host(`a`) && Hots(`b`)
            double:
              rule: "Host(`a`) && Path(\\"/x\\\\\\\\d\\") && Hots(`b`)"
            single:
              rule: 'Host("it''s") && Hots(`b`)'
            folded:
              rule: >-
                Host(`a`) &&
                Hots(`b`)
            literal:
              rule: |
                Host(`a`) &&
                  Hots(`b`)
            multiline-plain:
              rule: Host(`a`)
                && Hots(`b`)
        """,
    "docker-compose.yml": """\
        services:
          app:
            image: example/app
            labels:
              - traefik.http.routers.l1.rule=Host(`a`) && Hots(`b`)
              - "traefik.http.routers.l2.rule=Host(\\"a\\") && Hots(`b`)"
              - traefik.http.routers.l3.rule=HostRegexp(`^a$$`) && Hots(`b`)
          web:
            image: example/web
            labels:
              traefik.http.routers.m1.rule: "Path(\\"/a\\") && Hots(`b`)"
        """,
    "dynamic.toml": """\
        [http.routers.t1]
        rule = "Host(\\"a\\") && Hots(`b`)"
        [http.routers.t2]
        rule = '''
        Host(`a`) &&
          Hots(`b`)'''
        """,
    "crd.yaml": """\
        apiVersion: traefik.io/v1alpha1
        kind: IngressRoute
        metadata: {name: app}
        spec:
          routes:
            - match: Host(`a`) && Hots(`b`)
              kind: Rule
              services: [{name: app, port: 80}]
        """,
}


def test_every_rule_maps_offsets_to_its_file_exactly():
    project = _project(FILES)
    rules = router_rules(project)
    assert len(rules) == 13
    for rr in rules:
        assert rr.locator.exact, rr.router.name
        bad = next(m for m in rr.parsed.matchers if m.problem)
        assert _at(FILES, rr, bad.start, bad.name_end) == "Hots", rr.router.name
        arg = bad.args[0]
        assert _at(FILES, rr, arg.start, arg.end) == "`b`"


def test_escaped_argument_spans_cover_the_escape():
    project = _project(FILES)
    rr = next(r for r in router_rules(project) if r.router.name == "double")
    path = rr.parsed.matchers[1]
    assert _at(FILES, rr, path.args[0].start, path.args[0].end) == '\\"/x\\\\\\\\d\\"'


def test_rule_syntax_selection():
    files = {
        "traefik.yml": """\
            entryPoints: {web: {address: ":80"}}
            providers: {file: {directory: /d}}
            core: {defaultRuleSyntax: v2}
            """,
        "dynamic.yml": """\
            http:
              routers:
                default: {rule: "Host(`a`)"}
                v3: {rule: "Host(`a`)", ruleSyntax: v3}
                upper: {rule: "Host(`a`)", ruleSyntax: V2}
            """,
    }
    by_name = {rr.router.name: rr for rr in router_rules(_project(files))}
    assert (by_name["default"].syntax, by_name["default"].syntax_reason) == ("v2", "core.defaultRuleSyntax=v2")
    assert (by_name["v3"].syntax, by_name["v3"].syntax_reason) == ("v3", "ruleSyntax: v3")
    assert by_name["upper"].syntax == "v3"  # anything but exactly "v2" is v3
    v2 = {rr.router.name: rr for rr in router_rules(_project(files, version="2"))}
    assert {rr.syntax for rr in v2.values()} == {"v2"}


def test_templated_and_interpolated_rules_are_skipped():
    files = {
        "dynamic.yml": 'http:\n  routers:\n    t: {rule: "Host(`{{ env \\"D\\" }}`)"}\n',
        "docker-compose.yml": "services:\n  a:\n    image: x\n    labels:\n      - traefik.http.routers.a.rule=Host(`${D}`)\n",
    }
    assert router_rules(_project(files)) == []


@pytest.mark.parametrize("pattern, outside", [
    (r"a\\b", ["a", "\\\\", "b"]),                 # an escape is one token
    (r"[\\]x", ["[", "x"]),                          # inside a class
    (r"[]a]|b", ["[", "|", "b"]),                    # a leading ] is a literal of the class
    (r"[^]a](c)", ["[", "(", "c", ")"]),             # also after ^
    (r"x[a-z]*$", ["x", "[", "*", "$"]),
])
def test_regexp_tokens_know_escapes_and_classes(pattern, outside):
    assert [tok for _, tok, in_class in goregexp.tokens(pattern) if not in_class] == outside
