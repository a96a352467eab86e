"""TR111 unknown-label: a traefik.* label with an option Traefik does not know; Traefik skips the whole container."""

import difflib

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik import catalog


@traefik_rule("TR111")
def check(p: TraefikPass) -> None:
    version = p.version
    for cf in p.project.compose_files:
        for svc in cf.services:
            for deploy in (False, True):
                labels = svc.traefik_labels(deploy)
                if not labels:
                    continue
                owner = f'compose service "{svc.name}"'
                provider = "swarm" if deploy and version >= 3 else "docker"
                for lb in labels:  # the provider's own labels are read for every container
                    decoded, type_, known = catalog.provider_label(version, provider, lb.key)
                    if decoded and type_ is None and not lb.dynamic:
                        rest = lb.key.split(".", 1)[1] if "." in lb.key else lb.key
                        close = difflib.get_close_matches(rest.lower(), known, n=1, cutoff=0.7)
                        hint = f'; did you mean "traefik.{close[0]}"?' if close else ""
                        p.report(lb.key_span, f"label {lb.key}: the {provider} provider has no such label, "
                                 f"so Traefik skips {owner}{hint}", fix="fix or remove the label")
                if not catalog.labels_read(p.project, svc, deploy):
                    continue
                consequence = f"Traefik skips {owner}: it reads none of its labels"
                for lb in labels:
                    if not catalog.label_decoded(lb.key):
                        continue
                    root, _, rest = lb.key.partition(".")
                    if root != "traefik":
                        p.report(lb.key_span, f'label {lb.key}: the root must be written "traefik" in lower case '
                                 f"(invalid label root {root}); {consequence}", fix="write traefik in lower case")
                    elif any(not seg or seg.startswith("[") for seg in rest.split(".")):
                        p.report(lb.key_span, f"label {lb.key}: an empty or misplaced segment "
                                 f"(invalid element); {consequence}", fix="remove the stray dot or bracket")
                tree = catalog.label_tree(labels)
                if tree is None:
                    continue
                for visit in catalog.walk(version, catalog.DYNAMIC, tree, catalog.LABELS):
                    if visit.info is not None or "$" in (visit.key or ""):
                        continue
                    hint = catalog.suggest(visit.parent, visit.key or "", catalog.LABELS)
                    message = (f'label traefik.{visit.dotted}: Traefik v{version} has no option "{visit.key}" here; '
                               f"{consequence}")
                    if catalog.lookup(5 - version, catalog.DYNAMIC, visit.parts, catalog.LABELS) is not None:
                        message = (f'label traefik.{visit.dotted}: "{visit.key}" exists only in '
                                   f"Traefik v{5 - version}; {consequence}")
                    if hint:
                        message += f'; did you mean "{hint.lower()}"?'
                    p.report(visit.node.where, message, fix=f'use "{hint.lower()}"' if hint else "fix or remove the label")
