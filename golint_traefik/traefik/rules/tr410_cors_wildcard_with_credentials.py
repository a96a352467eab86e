"""TR410 cors-wildcard-with-credentials: a headers middleware allows every origin and credentials together."""

import re

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.gotemplate import is_templated
from golint_traefik.traefik.resources import MIDDLEWARE

# Origins no allow-list means to admit: a regex that matches them matches (almost) anything.
_PROBES = ("https://attacker.invalid", "http://evil.test:8080")


@traefik_rule("TR410")
def check(p: TraefikPass) -> None:
    for res in p.project.select(MIDDLEWARE, "http"):
        headers = res.node.get("headers") if res.node.is_map else None
        if headers is None or not headers.is_map:
            continue
        creds = headers.get("accessControlAllowCredentials")
        if creds is None or creds.as_bool() is not True:
            continue
        origins = headers.get("accessControlAllowOriginList")
        for item in origins.as_list() if origins is not None else []:
            if (item.text() or "").strip() == "*":
                p.report(item,
                         f'{res.describe()} allows origin "*" with accessControlAllowCredentials: Traefik v3.6.22+/v3.7.6+ '
                         "answer every Origin with itself, so any website can send credentialed requests and read "
                         "the responses (older versions send \"*\", which browsers refuse with credentials)",
                         related=[(creds.where, "credentials allowed here")],
                         fix="list the trusted origins explicitly, or drop accessControlAllowCredentials")
                break
        regexes = headers.get("accessControlAllowOriginListRegex")
        for item in regexes.as_list() if regexes is not None else []:
            pattern = (item.text() or "").strip()
            if pattern and not is_templated(pattern) and _matches_anything(pattern):
                p.report(item,
                         f'{res.describe()} allows origins matching "{pattern}" with accessControlAllowCredentials: the '
                         "pattern matches any origin and Traefik echoes it back, so any website can send credentialed "
                         "requests and read the responses",
                         related=[(creds.where, "credentials allowed here")],
                         fix=r"anchor the pattern to your own domains, e.g. ^https://([a-z0-9-]+\.)?example\.com$")
                break


def _matches_anything(pattern: str) -> bool:
    try:
        rx = re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False  # not something Python reads the way Go does: no opinion
    return all(rx.search(origin) for origin in _PROBES)
