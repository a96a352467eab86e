"""TR106 duplicate-key: a YAML key written twice in one mapping, which the Go YAML parser refuses."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule

_CONSEQUENCE = {
    "static": "Traefik cannot parse the file and does not start",
    "dynamic": "the file provider cannot parse the file and rejects it (with providers.file.directory, "
               "every file of the directory)",
    "compose": "docker compose refuses the file",
}


@traefik_rule("TR106")
def check(p: TraefikPass) -> None:
    for what, first, later in p.project.yaml_duplicates:
        p.report(later.where,
                 f'key "{later.key}" is already defined on line {first.where.line}: {_CONSEQUENCE[what]} '
                 '("mapping key already defined")',
                 related=[(first.where, "first definition")], fix="merge the two entries into one")
