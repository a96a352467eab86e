"""GO304 time-tick-leak: ``time.Tick`` where its ticker outlives the code that uses it.

``time.Tick(d)`` returns only the channel; its ticker can never be stopped.

* In a function that returns (not ``main``, not a function that never returns):
  before Go 1.23 the runtime never collects a ticker nobody stopped, so every
  call leaks one that keeps firing.  Since Go 1.23 an unreferenced ticker is
  collected, and this case is not reported for modules at ``go >= 1.23``.
* Opt-in (option ``endless-goroutines``): a goroutine that ranges (or loops)
  over it forever, started by a function that returns.  On every Go version
  the goroutine keeps the channel, and so the ticker, reachable, and nothing
  can end it -- every call of the starting function leaves one more goroutine
  and ticker behind.  Off by default: the starters found in real code are
  setup functions called once per process.

Test files and ``package main`` (commands, whose functions usually run once)
are not reported, as in staticcheck's SA1015.
"""

from __future__ import annotations

from golint_traefik.go import imports, scope, timers
from golint_traefik.registry import go_rule


@go_rule("GO304")
def check(p) -> None:
    f = p.file
    if f.is_test or not imports.imports_any(f, imports.TIME) or not f.has(b"Tick") or f.package_name == "main":
        return
    modern = timers.collected(f)
    for c in imports.calls(f, imports.TIME, ("Tick",)):
        func = scope.enclosing_func(c.call)
        if func is None:  # a package-level variable: one ticker for the life of the process
            continue
        if timers.forever(f, c.call):
            starter = _starter(f, func) if p.options.get("endless-goroutines", False) else None
            if starter is None:
                continue
            name = _name(f, starter)
            p.report(c.call, f"this goroutine loops over time.Tick forever and nothing can stop it: every call of"
                     f" {name} leaves another goroutine and ticker behind",
                     fix="use time.NewTicker with `defer t.Stop()` and end the loop on a done channel or"
                         " ctx.Done()", related=[(func, f"the goroutine is started here, by {name}, which returns")])
            continue
        if modern:  # collected once unreferenced since Go 1.23
            continue
        p.report(c.call, f"the ticker behind time.Tick can never be stopped; before Go 1.23 it is never"
                 f" garbage-collected, so every call of {_name(f, func)} leaks a ticker that keeps firing",
                 fix="use time.NewTicker and `defer t.Stop()`")


def _starter(f, func):
    """The function that starts the endless goroutine ``func`` (a function literal run with ``go`` or
    handed on), when that function returns and is not ``init``; else None."""
    if func.type != "func_literal" or not timers.outlives(func):
        return None
    outer = scope.enclosing_func(func)
    if outer is None or scope.never_returns(f, outer) or timers.forever(f, func):
        return None
    name = outer.child_by_field_name("name")
    if outer.type == "function_declaration" and name is not None and f.text(name) == "init":
        return None
    return outer


def _name(f, func) -> str:
    name = func.child_by_field_name("name")
    return f"`{f.text(name)}`" if name is not None else "the enclosing function literal"
