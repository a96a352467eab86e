"""GO403 client-without-timeout: HTTP clients that can wait for a server forever.

* An ``http.Client{...}`` literal without ``Timeout`` (in the literal or assigned
  to its variable later in the function), in a file that does not give its
  requests a context (no ``NewRequestWithContext``, ``WithContext``, ``ctxhttp``)
  and whose ``Transport``, if it is an ``http.Transport`` literal, sets no
  ``ResponseHeaderTimeout``.
* With the option ``default-client-in-servers``: ``http.Get``/``Post``/
  ``PostForm``/``Head`` and ``http.DefaultClient`` (which has no timeout) in a
  package that serves HTTP itself -- it registers routes on a ``ServeMux`` or
  starts a server -- in a file whose requests carry no context.

Test code is skipped.  Opt-in: see the rule's documentation for its measured
precision.
"""

from __future__ import annotations

from golint_traefik.go import httpfacts, imports, scope
from golint_traefik.go.source import is_test_code
from golint_traefik.registry import go_rule

_CONTEXT_REQUESTS = (b"NewRequestWithContext", b".WithContext(", b"ctxhttp")
_DEFAULT_CLIENT_FUNCS = ("Get", "Post", "PostForm", "Head")


@go_rule("GO403")
def check(p) -> None:
    f = p.file
    if not imports.imports_any(f, httpfacts.HTTP) or is_test_code(f):  # clients are found through the import
        return
    contexts = any(k in f.src for k in _CONTEXT_REQUESTS)
    for lit in httpfacts.struct_literals(f, httpfacts.HTTP, "Client"):
        if "Timeout" in lit.fields or contexts or _transport_bounds_headers(f, lit.fields.get("Transport")):
            continue
        var = httpfacts.owner(f, lit.expr)
        if var is not None and scope.is_local(var) and "Timeout" in httpfacts.assigned_fields(f, var):
            continue
        p.report(lit.node.child_by_field_name("type"),
                 "this http.Client has no Timeout and its requests carry no context: a server that accepts the"
                 " connection and never answers blocks the caller forever",
                 fix="set Timeout (it bounds the whole exchange, body included), or send requests made with"
                     " http.NewRequestWithContext and a deadline")
    if contexts or not p.options.get("default-client-in-servers", False) or not _serves_http(p):
        return
    for c in imports.calls(f, httpfacts.HTTP, _DEFAULT_CLIENT_FUNCS):
        p.report(c.callee, f"{c.qualified} uses http.DefaultClient, which has no timeout, in a package that serves"
                 " HTTP: a server that never answers blocks this call (and whatever request is waiting on it)"
                 " forever", fix="use an http.Client with Timeout, or a request with a context deadline")
    for caps in f.matches(_DEFAULT_CLIENT_Q):
        sel = caps["sel"][0]
        if httpfacts.is_pkg_selector(f, sel, httpfacts.HTTP, ("DefaultClient",)):
            p.report(sel, "http.DefaultClient has no timeout, in a package that serves HTTP: a server that never"
                     " answers blocks this call (and whatever request is waiting on it) forever",
                     fix="use an http.Client with Timeout, or a request with a context deadline")


_DEFAULT_CLIENT_Q = """
(call_expression function: (selector_expression operand: (selector_expression field: (field_identifier) @f) @sel)
  (#eq? @f "DefaultClient"))
"""


def _transport_bounds_headers(f, transport) -> bool:
    """``Transport: &http.Transport{ResponseHeaderTimeout: ...}``: the wait for an answer is bounded."""
    if transport is None:
        return False
    t = scope.unparen(transport)
    if t.type == "unary_expression" and t.named_child_count == 1:
        t = t.named_children[0]
    if t.type == "composite_literal" and imports.is_type(f, t.child_by_field_name("type"), httpfacts.HTTP, "Transport"):
        return "ResponseHeaderTimeout" in httpfacts.literal_fields(f, t)
    return True  # a transport built elsewhere: it may bound the wait; stay silent


def _serves_http(p) -> bool:
    """The package registers routes on a ServeMux of its own or starts a server."""
    return any(httpfacts.routes(g) or httpfacts.servers(g) for g in httpfacts.iter_files(p.package, p.file))
