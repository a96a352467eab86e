"""Hostile inputs too big (or too repetitive) to commit: written at test time.

Each generator returns the bytes of one case of ``cases.toml`` (its ``generate``
key names the generator).  ``scripts/fuzz.py --hostile-full`` calls :func:`write`
with ``scale`` > 1 for the full-size versions (10,000 levels everywhere, a
20 MB file of ordinary code).  Everything is deterministic.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Callable

HEAD = 'package survivor\n\nimport (\n\t"context"\n\t"sync"\n\t"time"\n)\n\nvar _ = time.Now\n\n'
LEAK = "func leak(parent context.Context) {\n\tctx, _ := context.WithCancel(parent)\n\t_ = ctx\n}\n"
DEEP = 10_000


def _func(body: str) -> str:
    return HEAD + "func deep(ch chan int, mu *sync.Mutex, parent context.Context) {\n" + body + "\n}\n"


def _nest(open_: str, close: str, inner: str, depth: int) -> str:
    return open_ * depth + inner + close * depth


def go_huge(scale: int = 1) -> bytes:
    """20 MB of Go (under the engine's 50 MB limit): a generated asset in a raw string, then a leak.

    With ``scale`` > 1, 20 MB of ordinary functions instead (slow: about a minute).
    """
    rng = random.Random(20)
    if scale > 1:
        parts, size, i = [HEAD], len(HEAD), 0
        while size < 20_000_000:
            chunk = (f"func f{i}(parent context.Context) int {{\n\tctx, cancel := context.WithCancel(parent)\n"
                     f"\tdefer cancel()\n\tx := {i} + len(ctx.Value(\"k\").(string))\n\tfor k := 0; k < x; k++ {{\n"
                     f"\t\tgo func() {{ _ = k }}()\n\t}}\n\treturn x\n}}\n\n")
            parts.append(chunk)
            size += len(chunk)
            i += 1
        return ("".join(parts) + LEAK).encode()
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
    line = "".join(rng.choice(alphabet) for _ in range(76))
    lines = [line[i % 76:] + line[: i % 76] for i in range(263_000)]
    return (HEAD + "var asset = `\n" + "\n".join(lines) + "\n`\n\n" + LEAK).encode()


def go_scaling(statements: int) -> bytes:
    """One package of many small functions, each with context calls: linear work, never quadratic."""
    funcs = [
        f"func f{i}(parent context.Context) {{\n\tctx, cancel := context.WithTimeout(parent, time.Second)\n"
        f"\tdefer cancel()\n\tvar mu sync.Mutex\n\tmu.Lock()\n\t_ = ctx\n\tmu.Unlock()\n}}\n"
        for i in range(statements)
    ]
    return (HEAD + "\n".join(funcs) + LEAK).encode()


def go_long_line() -> bytes:
    """A 1 MB line of non-ASCII text in a string, with the finding after it on the same line."""
    return (HEAD + "func leak(parent context.Context) {\n\t_ = \"" + "é" * 1_000_000
            + "\"; ctx, _ := context.WithCancel(parent)\n\t_ = ctx\n}\n").encode()


def go_deep_parens(depth: int = DEEP) -> bytes:
    return (HEAD + "var x = " + _nest("(", ")", "1", depth) + "\n\n" + LEAK).encode()


def go_deep_blocks(depth: int = DEEP) -> bytes:
    return (_func(_nest("{\n", "}\n", "ch <- 1\n", depth)) + "\n" + LEAK).encode()


def go_deep_expressions(depth: int = DEEP) -> bytes:
    """Deep expression trees of every shape: calls, composites, unary and binary chains, selectors."""
    return (HEAD
            + "var calls = " + _nest("f(", ")", "", depth) + "\n"
            + "var composite = " + _nest("[]interface{}{", "}", "1", depth) + "\n"
            + "var not = " + "!" * depth + "true\n"
            + "var sum = 1" + " + 1" * (10 * depth) + "\n"
            + "var index = a" + "[0]" * depth + "\n"
            + "var selector = a" + ".b" * depth + "\n"
            + "func chain() {\n\t_ = x" + "().y" * depth + "()\n}\n\n" + LEAK).encode()


def go_deep_types(depth: int = 1_500) -> bytes:
    """Types nested past the recursion limit (arrays of arrays, structs in structs, chan chan, ***T)."""
    return (HEAD + "var arrays " + "[1]" * depth + "sync.Mutex\n"
            + "type Nested " + _nest("struct {\n\tmu sync.Mutex\n\tX ", "\n}", "int", depth) + "\n"
            + "var chans " + "chan " * depth + "int\n"
            + "var ptrs " + "*" * depth + "sync.Mutex\n\n" + LEAK).encode()


def go_deep_statements(depth: int = 1_500) -> bytes:
    """Nested if/switch/for/select with locks at the bottom: the lock-flow analyses recurse per level.

    1,500 levels is well past what Python's default recursion limit lets those analyses reach;
    10,000 (``FULL``) is slow only because ``node.parent`` walks down from the root in
    tree-sitter, so every upward walk is quadratic in the depth.
    """
    ifs = _nest("if ch != nil {\n", "}\n", "mu.Lock()\n", depth)
    switches = _nest("switch {\ncase true:\n", "}\n", "mu.Lock()\nmu.Unlock()\n", depth)
    fors = _nest("for range ch {\n", "}\n", "<-time.After(time.Second)\n", depth)
    selects = _nest("select {\ncase <-ch:\n", "}\n", "ch <- 1\n", depth)
    return (HEAD + "func ifs(ch chan int, mu *sync.Mutex) {\n" + ifs + "}\n"
            + "func switches(mu *sync.Mutex) {\n" + switches + "}\n"
            + "func fors(ch chan int) {\n" + fors + "}\n"
            + "func selects(ch chan int) {\n" + selects + "}\n\n" + LEAK).encode()


def go_big_function(bindings: int = 3_000) -> bytes:
    """One function with thousands of declarations: resolving names must stay linear."""
    body = "".join(f"\tv{i}, c{i} := context.WithTimeout(parent, time.Second)\n\t_ = v{i}\n\tdefer c{i}()\n"
                   for i in range(bindings))
    body += "".join("\tmu.Lock()\n\tmu.Unlock()\n" for _ in range(bindings))
    return (HEAD + "func big(parent context.Context, mu *sync.Mutex) {\n" + body
            + "\tctx, _ := context.WithCancel(parent)\n\t_ = ctx\n}\n").encode()


def go_deep_closures(depth: int = 1_200) -> bytes:
    return (HEAD + "func closures(parent context.Context, wg *sync.WaitGroup) {\n"
            + _nest("go func() {\n", "}()\n", "wg.Add(1)\nctx, cancel := context.WithCancel(parent)\n_, _ = ctx, cancel\n", depth)
            + "}\n").encode()


def yaml_deep_flow(depth: int = DEEP) -> bytes:
    return ("http:\n  routers:\n    deep:\n      middlewares: " + _nest("[", "]", "", depth) + "\n").encode()


def yaml_deep_block(depth: int = 2_000) -> bytes:
    lines = "".join(" " * (i + 4) + f"k{i}:\n" for i in range(depth))
    return ("http:\n  routers:\n   deep:\n" + lines + " " * (depth + 4) + "v\n").encode()


def yaml_merge_chain(depth: int = 2_000) -> bytes:
    """Each anchor merges the previous one: thousands deep, quadratic if expanded naively."""
    out = "a0: &a0 {k0: v}\n" + "".join(f"a{i}: &a{i} {{<<: *a{i - 1}, k{i}: v}}\n" for i in range(1, depth))
    return (out + f"http:\n  routers:\n    chain:\n      <<: *a{depth - 1}\n      rule: Host(`chain.example.com`)\n").encode()


def yaml_huge_scalar(size: int = 1_000_000) -> bytes:
    return ("http:\n  middlewares:\n    big-header:\n      headers:\n        customRequestHeaders:\n"
            "          X-Big: \"" + "x" * size + "\"\n").encode()


def yaml_deep_rule(depth: int = DEEP) -> bytes:
    """Router rules nested 10,000 levels: parentheses, negations and a long && chain."""
    rules = {
        "parens": _nest("(", ")", "Host(`parens.example.com`)", depth),
        "nots": "!" * depth + "Host(`nots.example.com`)",
        "chain": " && ".join(["PathPrefix(`/a`)"] * depth),
    }
    body = "".join(f"    {name}:\n      rule: '{rule}'\n      service: deep-svc\n" for name, rule in rules.items())
    return ("http:\n  routers:\n" + body + "  services:\n    deep-svc:\n      loadBalancer:\n        servers:\n"
            "          - url: http://10.0.0.6:8080\n").encode()


def toml_deep(depth: int = DEEP) -> bytes:
    return ('[http.routers.deep]\nrule = "Host(`deep.example.com`)"\nservice = "deep"\nx = '
            + _nest("[", "]", "", depth) + "\n").encode()


GENERATORS: dict[str, Callable[..., bytes]] = {
    "go_huge": go_huge,
    "go_long_line": go_long_line,
    "go_deep_parens": go_deep_parens,
    "go_deep_blocks": go_deep_blocks,
    "go_deep_expressions": go_deep_expressions,
    "go_deep_types": go_deep_types,
    "go_deep_statements": go_deep_statements,
    "go_deep_closures": go_deep_closures,
    "go_big_function": go_big_function,
    "yaml_deep_flow": yaml_deep_flow,
    "yaml_deep_block": yaml_deep_block,
    "yaml_merge_chain": yaml_merge_chain,
    "yaml_huge_scalar": yaml_huge_scalar,
    "yaml_deep_rule": yaml_deep_rule,
    "toml_deep": toml_deep,
}

# Full-size variants for scripts/fuzz.py (slow): every depth at 10,000, the 20 MB file of code.
FULL: dict[str, Callable[[], bytes]] = {
    "go_huge": lambda: go_huge(scale=2),
    "go_deep_statements": lambda: go_deep_statements(DEEP),
    "go_deep_closures": lambda: go_deep_closures(DEEP),
    "go_deep_types": lambda: go_deep_types(DEEP),
    "go_big_function": lambda: go_big_function(10_000),
}


def write(name: str, path: Path, full: bool = False) -> Path:
    """Write generated case ``name`` to ``path`` (creating its directory)."""
    data = (FULL.get(name) if full else None) or GENERATORS[name]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data())
    return path
