"""TR409 plaintext-basic-auth: basicAuth/digestAuth users whose password is not a hash Traefik can check."""

import re

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.cmdline import compose_unescape
from golint_traefik.traefik.gotemplate import is_templated
from golint_traefik.traefik.resources import MIDDLEWARE

# go-http-auth (containous fork) CheckSecret: bcrypt and {SHA} by prefix, everything else as MD5-crypt.
_BCRYPT = ("$2a$", "$2b$", "$2x$", "$2y$")
_MD5_CRYPT = re.compile(r"^\$(?:apr1|1)\$[^$]*\$[./0-9A-Za-z]{22}$")
_SHA_CRYPT = re.compile(r"^\$[56]\$")
_HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")
_DES_CRYPT = re.compile(r"^[./0-9A-Za-z]{13}$")  # htpasswd -d


def _basic_problem(secret: str) -> str | None:
    if secret.startswith(_BCRYPT) or secret.startswith("{SHA}") or _MD5_CRYPT.match(secret):
        return None
    if _SHA_CRYPT.match(secret):
        return ("is a SHA-crypt hash ($5$/$6$), which Traefik does not support: it checks it as MD5-crypt, "
                "so every login fails")
    if secret.startswith(("$apr1$", "$1$")):
        return None  # an MD5-crypt hash with an unusual salt: leave it to Traefik
    if _DES_CRYPT.match(secret) and not secret.isalpha() and not secret.isdigit():
        return ("looks like a DES crypt hash (htpasswd -d), which Traefik does not support: it checks it as "
                "MD5-crypt, so every login fails")
    return ("is not a password hash: Traefik checks it as an MD5-crypt hash, so every login fails, "
            "and the clear-text password is stored in the configuration")


def _digest_problem(secret: str) -> str | None:
    if _HEX32.match(secret):
        return None
    return ("is not an MD5 digest (32 hex digits, as htdigest writes): every login fails, "
            "and the clear-text password is stored in the configuration")


@traefik_rule("TR409")
def check(p: TraefikPass) -> None:
    for res in p.project.select(MIDDLEWARE, "http"):
        if not res.node.is_map:
            continue
        for kind, parts, problem in (("basicAuth", 2, _basic_problem), ("digestAuth", 3, _digest_problem)):
            users = res.node.find(f"{kind}.users")
            if users is None or _interpolated(users):
                continue
            for item in users.as_list():
                text = (item.text() or "").strip()
                if is_templated(text):
                    continue
                fields = text.split(":")
                if len(fields) != parts:
                    continue  # malformed: Traefik rejects the middleware (a TR1xx concern)
                why = problem(fields[-1])
                if why:
                    p.report(item, f'{res.describe()}: the {kind} password of user "{fields[0]}" {why}',
                             fix=("hash it: htpasswd -nB user (bcrypt)" if kind == "basicAuth"
                                  else "write user:realm:md5 lines with htdigest"))


def _interpolated(node) -> bool:
    """A compose label value that still holds ``$VAR``: its final text is unknown."""
    if node.origin != "labels" or not node.is_scalar:
        return False
    written = node.raw if node.raw is not None else (node.text() or "")
    return compose_unescape(written)[1]
