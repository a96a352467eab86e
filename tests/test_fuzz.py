"""Property-based robustness: mutated fixtures and random YAML never crash the linter.

Inputs are the files of ``tests/fixtures`` mutated (bytes flipped, inserted
and deleted, truncation, lines shuffled and duplicated, line endings changed)
random Traefik-shaped YAML with random router rules, and the example project
(Go service plus Traefik configuration, so that the cross-checks run) with
files mutated.  For every input:

* no exception escapes and no rule fails (no E003);
* every finding points inside the file (1-based line and column within it);
* every output format stays valid: JSON parses, SARIF validates against the
  2.1.0 schema, text and GitHub annotations have one line per finding;
* the run takes bounded time.

These run with few examples and a fixed seed, so that the suite stays fast and
repeatable; ``scripts/fuzz.py`` runs the same properties for longer, with
random seeds.
"""

from __future__ import annotations

import json
import os
import re
import time
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from golint_traefik import report
from golint_traefik.engine import Settings, Source, run
from golint_traefik.registry import load_registry

FIXTURES = Path(__file__).parent / "fixtures"
CPU_SECONDS = 10.0  # per input; the fixtures are small, so this is a bound on blow-ups, not a benchmark

FAST = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _corpus(*suffixes: str) -> list[tuple[str, bytes]]:
    return sorted((p.relative_to(FIXTURES).as_posix(), p.read_bytes())
                  for p in FIXTURES.rglob("*") if p.is_file() and p.suffix in suffixes)


GO_CORPUS = _corpus(".go")
CONFIG_CORPUS = _corpus(".yml", ".yaml", ".toml")


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    from conftest import REQUIRE_SHARED, SHARED

    schema_path = SHARED / "schemas" / "sarif-2.1.0.json"
    if not schema_path.exists():
        assert not REQUIRE_SHARED, f"{schema_path} is absent"
        return None  # beside a clone without ../shared: the other checks still run (test_sarif says why)
    return jsonschema.Draft7Validator(json.loads(schema_path.read_text(encoding="utf-8")))


def assert_robust(name: str, data: bytes) -> None:
    """Lint ``data`` as the file ``name`` (editor mode: nothing is written) and check the properties."""
    registry = load_registry()
    cwd = os.path.abspath(os.sep + "fuzz")
    display = "input/" + name
    selected = frozenset(r.meta.id for r in registry)
    started = time.process_time()
    result = run([], Settings(selected=selected, jobs=1), cwd=cwd,
                 stdin=Source(os.path.join(cwd, display), display, content=data))
    spent = time.process_time() - started
    crashes = [f.message for f in result.findings if f.rule_id == "E003"]
    assert not crashes and result.internal_errors == 0, crashes
    assert spent < CPU_SECONDS, f"{spent:.1f}s of CPU for {len(data)} bytes"

    # Go counts lines at LF only; YAML also at a lone CR (and NEL, U+2028, U+2029): bound by the most.
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    lines = text.split("\n")
    exotic = re.search("\r(?!\n)|[\x85\u2028\u2029]", text) is not None
    for f in result.findings:
        s = f.span
        assert s.path == display
        assert 1 <= s.line <= max(len(lines), len(text.splitlines()) + 1) and s.col >= 1, f
        if s.line <= len(lines) and not exotic:
            assert s.col <= len(lines[s.line - 1]) + 2, (f, lines[s.line - 1][:200])

    outputs = {fmt: report.render(fmt, result.findings, registry=registry, result=result, cwd=cwd)
               for fmt in ("json", "sarif", "text", "github")}
    n = len(result.findings)
    assert len(json.loads(outputs["json"])["findings"]) == n
    sarif = json.loads(outputs["sarif"])
    if _validator() is not None:
        _validator().validate(sarif)
    assert len([line for line in outputs["text"].split("\n") if line and not line.startswith("    ")]) == n
    assert outputs["github"].count("\n") == n and "\r" not in outputs["github"]


def assert_project_robust(files: dict[str, bytes]) -> None:
    """Lint a whole project (Go services and their Traefik configuration: the XS rules run too)."""
    import tempfile

    registry = load_registry()
    with tempfile.TemporaryDirectory() as tmp:
        for rel, data in files.items():
            path = Path(tmp, rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        started = time.process_time()
        result = run(["."], Settings(selected=frozenset(r.meta.id for r in registry), jobs=1), cwd=tmp)
        spent = time.process_time() - started
        crashes = [f.message for f in result.findings if f.rule_id == "E003"]
        assert not crashes and result.internal_errors == 0, crashes
        assert spent < 3 * CPU_SECONDS, f"{spent:.1f}s of CPU"
        for fmt in ("json", "sarif", "text", "github"):
            out = report.render(fmt, result.findings, registry=registry, result=result, cwd=tmp)
            if fmt == "sarif" and _validator() is not None:
                _validator().validate(json.loads(out))


# ------------------------------------------------------------- mutations

NASTY = [b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\r", b"\r\n", b"\t", b"\x1b[31m", b"\xe2\x80\xa8",
         "é日🙂".encode(), b"{", b"}", b"(", b")", b"[", b"]", b"`", b'"', b"'", b"\\", b"/*", b"*/", b"//",
         b"\n---\n", b"\n...\n", b"&a ", b"*a", b"<<: *a\n", b"!!python/object/apply:os.system ['true']",
         b"%YAML 1.1\n", b"? ", b": ", b"- ", b"#", b"{{ .Values.x }}", b"${VAR}", b"go func() {", b"defer ",
         b"ctx, cancel := context.WithCancel(ctx)\n", b"mu.Lock()\n", b"select {", b"case <-ch:", b"\n}\n",
         b"Host(`", b"&& ", b"|| ", b"!", b"PathRegexp(`(((", b"[[http.routers]]\n", b"= "]


@st.composite
def _mutation(draw, data: bytes) -> bytes:
    op = draw(st.sampled_from(["flip", "insert", "nasty", "delete", "truncate", "shuffle", "duplicate", "crlf"]))
    at = draw(st.integers(0, len(data)))
    if op == "flip" and data:
        at = min(at, len(data) - 1)
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    if op == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    if op == "nasty":
        return data[:at] + draw(st.sampled_from(NASTY)) * draw(st.integers(1, 3)) + data[at:]
    if op == "delete":
        return data[:at] + data[at + draw(st.integers(1, 64)):]
    if op == "truncate":
        return data[:at]
    lines = data.split(b"\n")
    if op == "shuffle" and len(lines) > 1:
        i = draw(st.integers(0, len(lines) - 2))
        j = draw(st.integers(i + 1, min(len(lines), i + 12)))
        lines[i:j] = draw(st.permutations(lines[i:j]))
        return b"\n".join(lines)
    if op == "duplicate" and lines:
        i = draw(st.integers(0, len(lines) - 1))
        return b"\n".join(lines[:i + 1] + [lines[i]] * draw(st.integers(1, 3)) + lines[i + 1:])
    if op == "crlf":
        return data.replace(b"\n", b"\r\n")
    return data


@st.composite
def mutated(draw, corpus: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    name, data = draw(st.sampled_from(corpus))
    for _ in range(draw(st.integers(1, 4))):
        data = draw(_mutation(data))
    return name, data


# ------------------------------------------------------------- random YAML

KEYS = ["http", "tcp", "udp", "tls", "routers", "services", "middlewares", "entryPoints", "providers", "api",
        "rule", "service", "loadBalancer", "servers", "url", "address", "insecure", "dashboard", "options",
        "certResolver", "priority", "ruleSyntax", "headers", "chain", "stripPrefix", "prefixes", "weighted",
        "healthCheck", "interval", "timeout", "docker", "file", "exposedByDefault", "labels", "image",
        "apiVersion", "kind", "metadata", "name", "namespace", "spec", "routes", "match", "minVersion",
        "cipherSuites", "basicAuth", "users", "accessLog", "metrics", "ping", "web", "websecure", "<<"]
MATCHERS = ["Host", "HostRegexp", "Path", "PathPrefix", "PathRegexp", "Method", "Headers", "HeadersRegexp",
            "Query", "QueryRegexp", "ClientIP", "HostSNI", "HostSNIRegexp", "ALPN", "Header", "host", "Bogus"]
_ARG = st.text(st.sampled_from("ab.*/{}:[]()^$\\|?+-0123456789é` \"'"), max_size=12)


def _call(args: list[str], name: str, quote: str) -> str:
    return f"{name}({', '.join(quote + a + quote for a in args)})"


RULES = st.recursive(
    st.builds(_call, st.lists(_ARG, max_size=3), st.sampled_from(MATCHERS), st.sampled_from(["`", '"', "'", ""])),
    lambda inner: st.one_of(
        st.builds(lambda a, op, b: f"{a} {op} {b}", inner, st.sampled_from(["&&", "||", "&", "and"]), inner),
        inner.map(lambda r: f"!{r}"),
        inner.map(lambda r: f"({r})"),
    ),
    max_leaves=6,
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(), st.text(max_size=16),
                    RULES, st.sampled_from(["10s", "-1s", "0", "http://a:80", ":8080", "VersionTLS10", "true"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=5)),
    max_leaves=40)


@st.composite
def random_yaml(draw) -> tuple[str, bytes]:
    doc = draw(st.dictionaries(st.sampled_from(KEYS[:10]), VALUES, min_size=1, max_size=4))
    if draw(st.booleans()):
        text = json.dumps(doc, indent=draw(st.sampled_from([None, 2])))  # flow style: JSON is YAML
    else:
        import io

        from ruamel.yaml import YAML

        out = io.StringIO()
        YAML(typ="safe", pure=True).dump(doc, out)
        text = out.getvalue()
    docs = draw(st.integers(1, 3))
    return "random.yml", "\n---\n".join([text] * docs).encode("utf-8", "surrogatepass")


EXAMPLES = Path(__file__).parent.parent / "examples"
PROJECT = {p.relative_to(EXAMPLES).as_posix(): p.read_bytes() for p in sorted(EXAMPLES.rglob("*"))
           if p.is_file() and p.suffix in (".go", ".mod", ".yml", ".yaml", ".toml")}


@st.composite
def mutated_project(draw) -> dict[str, bytes]:
    """The examples (Go service, compose file, Traefik configuration) with one or two files mutated."""
    files = dict(PROJECT)
    for _ in range(draw(st.integers(1, 2))):
        rel = draw(st.sampled_from(sorted(files)))
        for _ in range(draw(st.integers(1, 3))):
            files[rel] = draw(_mutation(files[rel]))
    return files


# ------------------------------------------------------------- the properties


@FAST
@given(mutated(GO_CORPUS))
def test_mutated_go_never_crashes(case):
    assert_robust(*case)


@FAST
@given(mutated(CONFIG_CORPUS))
def test_mutated_configuration_never_crashes(case):
    assert_robust(*case)


@FAST
@given(random_yaml())
def test_random_traefik_yaml_never_crashes(case):
    assert_robust(*case)


@settings(FAST, max_examples=4)
@given(mutated_project())
def test_mutated_project_never_crashes(files):
    assert_project_robust(files)


@pytest.mark.parametrize("name", ["empty.go", "empty.yml", "empty.toml"])
def test_empty_input(name):
    assert_robust(name, b"")


# name -> (strategy, property): what scripts/fuzz.py runs for longer.
STRATEGIES = {
    "go": (mutated(GO_CORPUS), lambda case: assert_robust(*case)),
    "config": (mutated(CONFIG_CORPUS), lambda case: assert_robust(*case)),
    "yaml": (random_yaml(), lambda case: assert_robust(*case)),
    "project": (mutated_project(), assert_project_robust),
}
