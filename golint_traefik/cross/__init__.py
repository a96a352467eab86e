"""Cross-checks between Go services and the Traefik configuration in front of them (XS1xx).

* :mod:`.facts` -- the Go facts (routes, router edges, servers, handlers) as
  small JSON-serialisable records, computed per package in the Go workers
  by :mod:`.gofacts`;
* :mod:`.paths` -- route patterns of net/http, gorilla/mux, chi, gin, echo
  and fiber, and path matching;
* :mod:`.model` -- Go programs, and the links from Traefik services to them
  (compose build contexts, service URLs, Kubernetes Services, configured
  links);
* :mod:`.routing` -- what paths a Traefik router sends after its middlewares;
* :mod:`.run` -- :class:`~.run.CrossPass` and the runner the engine calls;
* :mod:`.rules` -- the XS rules.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def cross_ids() -> frozenset[str]:
    """Ids of the cross rules (suppressions naming them are audited by the cross pass, not per file)."""
    from golint_traefik.registry import load_registry

    return frozenset(r.meta.id for r in load_registry() if r.meta.target == "cross")
