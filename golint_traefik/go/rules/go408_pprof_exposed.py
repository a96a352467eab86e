"""GO408 pprof-exposed: net/http/pprof's handlers served to the whole network.

``import _ "net/http/pprof"`` registers ``/debug/pprof/`` on
``http.DefaultServeMux``.  A server of the same package that serves the
default mux (handler ``nil`` or ``http.DefaultServeMux``) on an address that
accepts connections on every interface (``":6060"``, ``"0.0.0.0:6060"``,
``fmt.Sprintf(":%d", port)``) publishes profiles, goroutine dumps and the
command line to anyone who can reach the port.  Addresses that are not
constants (flags, configuration) are not judged.
"""

from __future__ import annotations

from golint_traefik.go import httpfacts, imports, scope
from golint_traefik.registry import go_rule

PPROF = "net/http/pprof"
_BLANK_Q = '(import_spec name: (blank_identifier) path: (_) @path) @spec'


@go_rule("GO408")
def check(p) -> None:
    f = p.file
    if not imports.imports_any(f, httpfacts.HTTP):
        return
    where = _pprof_import(p)  # rare, and cheap to rule out: before looking for servers
    if where is None:
        return
    servers = [s for s in httpfacts.servers(f) if s.uses_default_mux(f)]
    if not servers:
        return
    g, spec = where
    for s in servers:
        addr = httpfacts.address(f, s.addr) if s.addr is not None else _listener_address(f, s)
        if addr is None or not httpfacts.is_public(addr):
            continue
        shown = (addr or "\"\"").replace(":*", ":<port>")
        related = [(spec, "net/http/pprof registers /debug/pprof/ on the default mux here")] if g is f else []
        node = s.node.child_by_field_name("function") if s.kind == "func" else s.node.child_by_field_name("type")
        p.report(node, f"this server exposes the default mux, and with it net/http/pprof's /debug/pprof/"
                 f" handlers, on {shown} (every interface): profiles, goroutine dumps and the command line are"
                 " open to anyone who can reach the port",
                 fix="serve pprof on a loopback address (\"localhost:6060\") or on its own mux behind"
                     " authentication, and give the public server a mux of its own", related=related)


def _pprof_import(p):
    """(file, import spec) of a blank import of net/http/pprof in the package, this file first."""
    for g in httpfacts.iter_files(p.package, p.file):
        if not g.has(PPROF.encode()):
            continue
        for caps in g.matches(_BLANK_Q):
            if g.text(caps["path"][0]).strip('"`') == PPROF:
                return g, caps["spec"][0]
    return None


def _listener_address(f, s):
    """For ``http.Serve(l, nil)``: the address of ``l, err := net.Listen("tcp", addr)`` in the same file."""
    if s.kind != "func" or not s.name.startswith("Serve"):
        return None
    args = s.node.child_by_field_name("arguments").named_children
    ln = scope.unparen(args[0]) if args else None
    if ln is None or ln.type != "identifier":
        return None
    b = scope.resolve(f, ln)
    if b is None or b.decl.type != "short_var_declaration":
        return None
    right = b.decl.child_by_field_name("right")
    call = scope.unparen(right.named_children[0]) if right is not None and right.named_child_count == 1 else None
    if call is None or call.type != "call_expression":
        return None
    if not any(c.call == call for c in imports.calls(f, ("net",), ("Listen",), call)):
        return None
    largs = call.child_by_field_name("arguments").named_children
    return httpfacts.address(f, largs[1]) if len(largs) == 2 else None
