"""GO402 server-without-timeouts: an HTTP server that waits forever for slow clients.

``http.ListenAndServe(addr, h)`` and its siblings (``ListenAndServeTLS``,
``Serve``, ``ServeTLS``) start a server whose timeouts cannot be set at all;
an ``http.Server{...}`` literal that sets neither ``ReadHeaderTimeout`` nor
``ReadTimeout`` (in the literal or by a later ``srv.ReadTimeout = ...`` in the
same function) does the same.  A client that sends its request headers one
byte at a time holds a connection and a goroutine for as long as it likes
(Slowloris).  Not reported: test code, servers on a literal loopback address
(``localhost:6060``, ``127.0.0.1:0``), a literal with a ``ConnState`` hook
(it manages connection deadlines itself), and a literal that is stored or
handed on when the package sets ``X.ReadHeaderTimeout``/``X.ReadTimeout``
somewhere.
"""

from __future__ import annotations

import re

from golint_traefik.go import httpfacts, imports
from golint_traefik.go.source import is_test_code
from golint_traefik.registry import go_rule

READ_TIMEOUTS = ("ReadHeaderTimeout", "ReadTimeout")
_SETS_TIMEOUT = re.compile(rb"\.(ReadHeaderTimeout|ReadTimeout)\s*=[^=]")


@go_rule("GO402")
def check(p) -> None:
    f = p.file
    if not imports.imports_any(f, httpfacts.HTTP) or is_test_code(f):  # servers are found through the import
        return
    for s in httpfacts.servers(f):
        addr = httpfacts.address(f, s.addr)
        if addr is not None and httpfacts.is_loopback(addr):
            continue
        if s.kind == "func":
            p.report(s.node.child_by_field_name("function"),
                     f"http.{s.name} serves with no timeouts at all: a client that sends its headers slowly holds"
                     " a connection and a goroutine for as long as it likes",
                     fix="use an http.Server with ReadHeaderTimeout (and ReadTimeout/WriteTimeout/IdleTimeout as"
                         f" the handlers allow) and call its {s.name} method")
            continue
        if any(k in s.fields for k in READ_TIMEOUTS):
            continue
        if "ConnState" in s.fields:  # it manages its connections (deadlines, limits) itself
            continue
        if s.var is None and _package_sets_timeouts(p):  # stored or handed on: set elsewhere, maybe
            continue
        p.report(s.node.child_by_field_name("type"),
                 "http.Server sets neither ReadHeaderTimeout nor ReadTimeout: a client that sends its headers"
                 " slowly holds a connection and a goroutine for as long as it likes",
                 fix="set ReadHeaderTimeout (a few seconds is plenty), and ReadTimeout/WriteTimeout/IdleTimeout"
                     " as the handlers allow")


def _package_sets_timeouts(p) -> bool:
    return any(_SETS_TIMEOUT.search(g.src) for g in httpfacts.iter_files(p.package, p.file))



