"""Command line: ``golint-traefik check|rules|explain``.

Exit codes: 0 no finding at or above the threshold; 1 findings; 2 usage or
configuration error, or an internal error (a rule crashing, reported as E003
with the other findings still reported, or a crash of the tool itself).

Selection: ``--select`` (ids, prefixes such as GO1 or TR, slugs, ALL)
replaces both the configured ``select`` and ``extend-select``; without it the
configured ``select`` (or every default-enabled rule) plus ``extend-select``
is used.  ``--extend-select`` adds, and every ``ignore`` (configured or
given) removes.  E001-E003 (unreadable/unparsable files, internal errors) are
always selected unless ignored by name; E003 cannot be ignored at all.
"""

from __future__ import annotations

import glob
import os
import re
import sys

import click

from golint_traefik import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "sarif", "github")


class _Group(click.Group):
    def main(self, *args, **kwargs):
        try:
            return super().main(*args, **kwargs)
        except KeyboardInterrupt:
            click.echo("golint-traefik: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - a crash must not exit 1, which means "findings"
            import traceback

            traceback.print_exc(file=sys.stderr)
            click.echo(f"golint-traefik: internal error: {type(exc).__name__}: {exc} (please report this bug)", err=True)
            sys.exit(EXIT_ERROR)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:  # click itself would print "Aborted!" and exit 1, which means "findings"
            click.echo("golint-traefik: interrupted", err=True)
            sys.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="golint-traefik")
def cli() -> None:
    """Lint Go services for goroutine and resource leaks, and the Traefik configuration in front of them.

    \b
    Examples:
      golint-traefik check .                      lint the current project
      golint-traefik check --format sarif -o out.sarif .
      golint-traefik check --select GO3,TR201 services/ deploy/
      golint-traefik rules                        list every rule
      golint-traefik explain GO301                show a rule's docs
    """


def _split(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


_GO_VERSION = re.compile(r"^(?:go)?(\d+)\.(\d+)(?:\.\d+)?$")


def parse_go_version(text: str) -> tuple[int, int]:
    m = _GO_VERSION.match(text.strip())
    if not m:
        raise ValueError(f"invalid Go version {text!r} (expected X.Y, e.g. 1.22)")
    return int(m.group(1)), int(m.group(2))


class _Target(click.Path):
    """A path to lint, taken as given.  Discovery reports one that is missing or unreadable (E002)
    and goes on with the others, where click.Path would stop the run with a usage error; and it
    looks at each path once, where click.Path would stat and access-check the thousands of files a
    hook may pass before discovery does it again.  (As a click.Path, it still completes as one.)"""

    def convert(self, value, param, ctx):
        return value


@cli.command()
@click.argument("paths", nargs=-1, type=_Target())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Output format.  [default: text]")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the report to FILE instead of stdout.")
@click.option("--select", "select", multiple=True, metavar="RULES", help="Only these rules: ids, id prefixes (GO1, TR) or slugs, comma-separated.")
@click.option("--extend-select", multiple=True, metavar="RULES", help="Rules to add to the selection (e.g. opt-in rules).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Rules to leave out: ids, prefixes or slugs, comma-separated.")
@click.option("--severity", type=click.Choice(["error", "warning", "note"]), default=None, help="Report only findings at or above this severity.  [default: note]")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file (pyproject.toml or .golint-traefik.toml); default: found from the current directory upward.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported (internal errors still exit 2).")
@click.option("--traefik-version", type=click.Choice(["2", "3", "auto"]), default=None, help="Traefik major version of the configuration.  [default: auto]")
@click.option("--go-version", metavar="X.Y", default=None, help="Go language version.  [default: the nearest go.mod's go directive, else 1.22]")
@click.option("--stdin-filename", metavar="PATH", help="With '-' as the path: read the file from stdin and report it under PATH (editor mode).")
@click.option("--force-exclude", is_flag=True, help="Apply configured excludes to files named on the command line too (pre-commit).")
@click.option("--no-context", is_flag=True,
              help="Lint configuration files named on the command line on their own: do not read the rest of "
                   "their project for cross-file references.")
@click.option("--exclude", "exclude_cli", multiple=True, metavar="GLOB", help="Extra exclude globs (added to the configured ones).")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Report only findings that are not in this baseline file.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), help="Write every current finding to this baseline file and exit 0.")
@click.option("--sarif-category", metavar="NAME", help="SARIF runAutomationDetails id, for repositories that upload several analyses.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=None, help="Worker processes; 0 means one per core, 1 runs in-process (as it does anyway for a few files).  [default: 0]")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), envvar="GOLINT_TRAEFIK_CACHE_DIR", show_envvar=True,
              help="Result cache directory.  [default: .golint-traefik-cache in the project root (the configuration file's directory, else the current one)]")
@click.option("--color/--no-color", default=None, help="Colour text output.  [default: only on a terminal]")
@click.option("--statistics", is_flag=True, help="Print a count of findings per rule on stderr.")
def check(paths, fmt, output, select, extend_select, ignore, severity, config_path, exit_zero, traefik_version, go_version,
          stdin_filename, force_exclude, no_context, exclude_cli, baseline, write_baseline, sarif_category, jobs, no_cache, cache_dir,
          color, statistics):
    """Lint PATHS (files or directories; default: the current directory).

    A configuration file named as a file is linted within its project: the
    project's other configuration files are read for cross-file references,
    and findings are reported for the named files only (see --no-context).
    """
    from golint_traefik import config as configmod
    from golint_traefik.engine import Settings, Source, run
    from golint_traefik.finding import Severity
    from golint_traefik.registry import RegistryError, load_registry

    try:
        registry = load_registry()
    except RegistryError as exc:
        _fail(f"rule catalog is broken: {exc}")
    cwd = os.getcwd()
    try:
        cfg = configmod.load(config_path, cwd)
    except configmod.ConfigError as exc:
        _fail(str(exc))

    def expand(values, origin):
        try:
            return registry.expand(values)
        except KeyError as exc:
            _fail(f"{origin}: unknown rule or prefix {exc.args[0]!r} (see 'golint-traefik rules')")

    # Selection (see the module docstring).
    ignored = expand(cfg.ignore, cfg.origin("ignore")) | expand(_split(ignore), "--ignore")
    if select:
        selected = expand(_split(select), "--select")
    else:
        selected = expand(cfg.select, cfg.origin("select")) if cfg.select is not None else registry.default_selection()
        selected |= expand(cfg.extend_select, cfg.origin("extend-select"))
    selected |= expand(_split(extend_select), "--extend-select") | {"E001", "E002", "E003"}
    selected -= ignored - {"E003"}

    overrides = {}
    for key, sev in cfg.severity.items():
        for rid in expand([key], cfg.origin("severity")):
            overrides[rid] = sev
    options = {}
    for key, opts in cfg.rule_options.items():
        rule = registry.get(key)
        if rule is None:
            _fail(f"{cfg.origin('rules')}: unknown rule {key!r}")
        declared = rule.meta.options
        for name, value in opts.items():
            where = f"{cfg.origin('rules')}.{key}.{name}"
            if name not in declared:
                _fail(f"{where}: rule {rule.meta.id} ({rule.meta.slug}) has no option {name!r}"
                      + (f"; options: {', '.join(sorted(declared))}" if declared else "; it takes no options"))
            want = type(declared[name])  # the documented default fixes the type (an int will do for a float)
            if not (type(value) is want or (want is float and type(value) is int)):
                _fail(f"{where}: must be {want.__name__} like the default {declared[name]!r}, got {value!r}")
        options[rule.meta.id] = opts
    pfi = []
    for pattern, ids in cfg.per_file_ignores.items():
        pfi.append((pattern, frozenset(expand(ids, f"{cfg.origin('per-file-ignores')}.{pattern}"))))

    gv = go_version or cfg.go_version
    try:
        go_v = parse_go_version(gv) if gv else None
    except ValueError as exc:
        _fail(f"--go-version: {exc}" if go_version else f"{cfg.origin('go-version')}: {exc}")

    # Configured globs are relative to the config file's directory, --exclude ones to the cwd.
    from golint_traefik.cache import DIRNAME as CACHE_DIRNAME
    from golint_traefik.engine import ALWAYS_SKIP_DIRS, RunResult, display_path, path_matches

    cli_excludes = [x if "/" not in x or os.path.isabs(x) else os.path.join(glob.escape(cwd), x) for x in _split(exclude_cli)]
    settings = Settings(
        selected=frozenset(selected),
        severity_overrides=overrides,
        rule_options=options,
        go_version=go_v,
        traefik_version=traefik_version or cfg.traefik_version or "auto",
        jobs=jobs if jobs is not None else 0,
        exclude=tuple(cfg.exclude) + tuple(cli_excludes),
        force_exclude=force_exclude,
        per_file_ignores=tuple(pfi),
        base=cfg.base or cwd,
        cache_dir=None if no_cache else os.path.abspath(cache_dir) if cache_dir else CACHE_DIRNAME,
        links=tuple(sorted(cfg.links.items())),
        context=not no_context,
    )

    stdin_src = None
    if "-" in paths or stdin_filename:
        if paths != ("-",) or not stdin_filename:
            _fail("editor mode needs both --stdin-filename PATH and '-' as the only path")
        data = sys.stdin.buffer.read()
        full = os.path.abspath(os.path.join(cwd, stdin_filename))
        stdin_src = Source(full, display_path(full, cwd), content=data)
    if stdin_src is not None and force_exclude and path_matches(stdin_src.path, (*ALWAYS_SKIP_DIRS, *settings.exclude), settings.base):
        result = RunResult([], 0, 0)  # an excluded file sent by an editor is left alone
    else:
        result = run(list(paths), settings, cwd, stdin=stdin_src, keep=_left_to_exit)

    threshold = Severity.parse(severity or cfg.severity_threshold or "note")
    findings = [f for f in result.findings if f.rule_id == "E003" or (f.severity >= threshold and f.rule_id in selected)]

    if write_baseline:
        from golint_traefik import baseline as baselinemod

        try:
            baselinemod.write(write_baseline, findings)
        except baselinemod.BaselineError as exc:
            _fail(str(exc))
        click.echo(f"wrote {len(findings)} finding(s) to {write_baseline}", err=True)
        sys.exit(EXIT_ERROR if result.internal_errors else EXIT_CLEAN)
    if baseline:
        from golint_traefik import baseline as baselinemod

        try:
            findings = baselinemod.filter_new(baseline, findings)
        except baselinemod.BaselineError as exc:
            _fail(str(exc))

    from golint_traefik import report

    fmt = fmt or "text"
    if fmt == "sarif":  # GitHub's line hashes: only SARIF carries them, so only a SARIF run computes them
        from golint_traefik.fingerprint import with_line_hashes

        findings = with_line_hashes(findings, lambda path: _reread(path, cwd, stdin_src))
    use_color = color if color is not None else (output is None and fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    text = report.render(fmt, findings, registry=registry, result=result, cwd=cwd, color=use_color, sarif_category=sarif_category)
    if output:
        try:
            with open(output, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        except OSError as exc:
            _fail(f"--output: cannot write {output}: {exc.strerror or exc}")
    else:
        _write_stdout(text, fmt)
    _summary(findings, result, statistics)
    if result.internal_errors:
        sys.exit(EXIT_ERROR)
    if findings and not exit_zero:
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_CLEAN)


def _reread(path: str, cwd: str, stdin_src) -> bytes | None:
    """The bytes of a reported file (its display path), for GitHub's line hashes: what stdin gave,
    or the file as it is now; None when it cannot be read."""
    if stdin_src is not None and path == stdin_src.display:
        return stdin_src.content
    from golint_traefik.engine import Source, read_source

    return read_source(Source(os.path.join(cwd, path), path))[0]


def _write_stdout(text: str, fmt: str) -> None:
    """The report on stdout, whatever its encoding: JSON and SARIF as UTF-8 (as JSON must be), text and
    GitHub annotations in the stream's encoding with what it cannot encode shown as escapes."""
    out = sys.stdout
    if fmt in ("json", "sarif") and hasattr(out, "buffer"):
        out.flush()
        out.buffer.write(text.encode("utf-8"))
        out.buffer.flush()
        return
    if hasattr(out, "reconfigure"):
        out.reconfigure(errors="backslashreplace")
    out.write(text)
    out.flush()


def _summary(findings, result, statistics: bool) -> None:
    from collections import Counter

    if statistics and findings:
        counts = Counter((f.rule_id, f.slug) for f in findings)
        for (rid, slug), n in sorted(counts.items()):
            click.echo(f"{n:6d}  {rid:6s} {slug}", err=True)
    n = len(findings)
    by = Counter(f.severity.label for f in findings)
    parts = [f"{by[k]} {k}{'s' if by[k] != 1 else ''}" for k in ("error", "warning", "note") if by[k]]
    tail = f" ({', '.join(parts)})" if parts else ""
    files = f"{result.files_checked} file{'s' if result.files_checked != 1 else ''}"
    msg = f"golint-traefik: {n} finding{'s' if n != 1 else ''}{tail} in {files} checked"
    if result.context_files:
        msg += f" ({result.context_files} more read as context)"
    if result.internal_errors:
        msg += f"; {result.internal_errors} internal error{'s' if result.internal_errors != 1 else ''}"
    click.echo(msg, err=True)


def _fail(message: str) -> None:
    click.echo(f"golint-traefik: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@cli.command("rules")
@click.option("--all", "show_all", is_flag=True, help="Include engine diagnostics and retired rules.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", help="Listing format.")
def rules_cmd(show_all: bool, fmt: str) -> None:
    """List the rules: id, slug, severity, tags and a one-line summary."""
    from golint_traefik import report
    from golint_traefik.registry import load_registry

    metas = [r.meta for r in load_registry() if show_all or (r.meta.target != "engine" and not r.meta.retired)]
    click.echo(report.rules_listing(metas, fmt), nl=False)


@cli.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show the documentation of RULE (an id such as GO301 or a slug such as lost-cancel)."""
    from golint_traefik import report
    from golint_traefik.registry import load_registry

    r = load_registry().get(rule)
    if r is None:
        _fail(f"unknown rule {rule!r} (see 'golint-traefik rules')")
    click.echo(report.explain_text(r.meta), nl=False)


# Set by main(): what the run leaves for the process's exit to free (engine.run's ``keep``).
_left_to_exit: list | None = None


def main() -> None:
    """The console script.  Once the command is done, the process ends with ``os._exit``: the
    interpreter's shutdown would only free memory, every object one at a time, which the exit
    returns at once.  The report file and the cache are closed by then; stdout and stderr are
    flushed here."""
    global _left_to_exit
    _left_to_exit = []
    try:
        cli(prog_name="golint-traefik")
        code = EXIT_CLEAN
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = EXIT_CLEAN
    elif not isinstance(code, int):  # what the interpreter does with sys.exit("message")
        print(code, file=sys.stderr)
        code = EXIT_FINDINGS
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader gone (closed pipe) or a closed stream: nothing left to deliver
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
