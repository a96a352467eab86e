"""Configuration: ``[tool.golint-traefik]`` in pyproject.toml or a ``.golint-traefik.toml``.

The nearest file from the current directory upward wins (in one directory,
``.golint-traefik.toml`` before ``pyproject.toml``; a pyproject.toml without a
``[tool.golint-traefik]`` table is passed over).  ``--config`` names the file
explicitly (a file named pyproject.toml must then have the table).  Unknown
keys and wrong types are errors that name the key and the file: silence would
hide a typo that disables the intended settings.  Rule names and rule options
(``[tool.golint-traefik.rules.ID]``, declared in each rule document's front
matter) are checked by the CLI, which has the registry.

Relative globs in ``exclude`` and in the keys of ``per-file-ignores`` are
relative to the directory of the configuration file (like .gitignore and
ruff), so the same file means the same thing from any working directory; see
``Config.base``.  A glob without '/' matches a file or directory name at any
depth (``testdata``, ``*_gen.go``); one with '/' is anchored at that directory
and covers everything below a matching directory.  ``--exclude`` globs given
on the command line are relative to the current directory.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from golint_traefik.finding import Severity


class ConfigError(Exception):
    pass


KEYS = {
    "select": "list of rule ids, prefixes or slugs",
    "extend-select": "list of rule ids, prefixes or slugs",
    "ignore": "list of rule ids, prefixes or slugs",
    "exclude": "list of glob patterns",
    "per-file-ignores": "table of glob -> list of rules",
    "severity": "table of rule -> error|warning|note",
    "severity-threshold": "error|warning|note",
    "traefik-version": '"2", "3" or "auto"',
    "go-version": '"X.Y"',
    "rules": "table of rule -> table of options",
    "links": "table of Traefik service -> directory of the Go main package serving it (\"\": none)",
}


@dataclass
class Config:
    path: str | None = None
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity: dict[str, Severity] = field(default_factory=dict)
    severity_threshold: str | None = None
    traefik_version: str | None = None
    go_version: str | None = None
    rule_options: dict[str, dict] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # XS rules; directories relative to the file's directory

    def origin(self, key: str) -> str:
        return f"{self.path}: {key}" if self.path else key

    @property
    def base(self) -> str | None:
        """The directory relative globs are relative to (None: no configuration file)."""
        return os.path.dirname(os.path.abspath(self.path)) if self.path else None


def _tool_table(data: dict, path: str):
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: 'tool' must be a table")
    return tool.get("golint-traefik")


def find_config(start: str) -> tuple[str, dict] | None:
    d = os.path.abspath(start)
    while True:
        for name in (".golint-traefik.toml", "pyproject.toml"):
            p = os.path.join(d, name)
            if os.path.isfile(p):
                data = _read(p, name == "pyproject.toml")
                if data is None:  # a pyproject.toml whose text does not name the table
                    continue
                if name == "pyproject.toml":
                    table = _tool_table(data, p)
                    if table is None:
                        continue
                    return p, table
                return p, data
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _read(path: str, only_ours: bool = False) -> dict | None:
    """The TOML document at ``path``.  ``only_ours`` (a pyproject.toml found upward): None when its
    text cannot hold a [tool.golint-traefik] table -- no "golint-traefik" in it, and no backslash
    that could spell it in a quoted key.  Most pyproject.toml files have none, and they are passed
    over without importing tomllib, which takes longer than the rest of the start-up before the
    files are found."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if only_ours and b"golint-traefik" not in raw and b"\\" not in raw:
        return None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


def load(explicit: str | None, cwd: str) -> Config:
    if explicit:
        data = _read(explicit)
        if os.path.basename(explicit) == "pyproject.toml":
            data = _tool_table(data, explicit)
            if data is None:
                raise ConfigError(f"{explicit}: no [tool.golint-traefik] table")
        return parse(data, explicit)
    found = find_config(cwd)
    if found is None:
        return Config()
    return parse(found[1], found[0])


def _strs(path: str, key: str, value) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {key} must be a {KEYS.get(key, 'list of strings')}, got {value!r}")
    return list(value)


def _severity(path: str, key: str, value) -> Severity:
    if not isinstance(value, str):
        raise ConfigError(f"{path}: {key} must be error, warning or note, got {value!r}")
    try:
        return Severity.parse(value)
    except ValueError:
        raise ConfigError(f"{path}: {key} must be error, warning or note, got {value!r}") from None


def parse(data: dict, path: str) -> Config:
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: [tool.golint-traefik] must be a table")
    cfg = Config(path=path)
    for key, value in data.items():
        if key not in KEYS:
            hint = ""
            alt = key.replace("_", "-")
            if alt in KEYS:
                hint = f" (did you mean {alt!r}?)"
            elif key == "tool":
                hint = " (in .golint-traefik.toml the settings go at the top level, without [tool.golint-traefik])"
            raise ConfigError(f"{path}: unknown key {key!r}{hint}; known keys: {', '.join(sorted(KEYS))}")
        if key == "select":
            cfg.select = _strs(path, key, value)
        elif key == "extend-select":
            cfg.extend_select = _strs(path, key, value)
        elif key == "ignore":
            cfg.ignore = _strs(path, key, value)
        elif key == "exclude":
            cfg.exclude = _strs(path, key, value)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: per-file-ignores must be a {KEYS[key]}")
            cfg.per_file_ignores = {g: _strs(path, f"per-file-ignores.{g}", v) for g, v in value.items()}
        elif key == "severity":
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: severity must be a {KEYS[key]}")
            cfg.severity = {r: _severity(path, f"severity.{r}", v) for r, v in value.items()}
        elif key == "severity-threshold":
            cfg.severity_threshold = _severity(path, key, value).label
        elif key == "traefik-version":
            v = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None
            if v not in ("2", "3", "auto"):
                raise ConfigError(f"{path}: traefik-version must be \"2\", \"3\" or \"auto\", got {value!r}")
            cfg.traefik_version = v
        elif key == "go-version":
            if not isinstance(value, str):
                raise ConfigError(f"{path}: go-version must be a string like \"1.22\", got {value!r}")
            cfg.go_version = value
        elif key == "rules":
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise ConfigError(f"{path}: rules must be a {KEYS[key]}, e.g. [tool.golint-traefik.rules.GO401]")
            cfg.rule_options = {k: dict(v) for k, v in value.items()}
        elif key == "links":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise ConfigError(f'{path}: links must be a {KEYS[key]}, e.g. "orders@docker" = "services/orders"')
            cfg.links = dict(value)
    return cfg
