"""TR207 bad-provider-qualifier: a name@provider reference whose provider part cannot match anything."""

import difflib

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.model import MISSING
from golint_traefik.traefik.resources import CRD_PROVIDER

_COMMON = {"file", "docker", "kubernetescrd", "kubernetes", "kubernetesgateway", "consulcatalog", "consul", "etcd",
           "redis", "zookeeper", "http", "rest", "ecs", "nomad", "internal"}
PROVIDERS = {3: _COMMON | {"swarm", "kubernetesingressnginx", "knative"}, 2: _COMMON | {"marathon", "rancher"}}
_NAMESPACED = ("consulcatalog-", "consul-", "nomad-", "plugin-")
_ALL = PROVIDERS[2] | PROVIDERS[3]


@traefik_rule("TR207")
def check(p: TraefikPass) -> None:
    project = p.project
    version = 2 if project.version == 2 else 3
    known = PROVIDERS[version]
    for ref in project.refs:
        if ref.dynamic or "@" not in ref.text:
            continue
        problem = _problem(ref, known, version, project)
        if problem:
            message, fix = problem
            p.report(ref.node, f'{ref.owner_label()} refers to "{ref.text}": {message}', fix=fix)


def _problem(ref, known: set[str], version: int, project) -> tuple[str, str] | None:
    text = ref.text
    parts = text.split("@")
    if len(parts) > 2:
        return "a reference has one @, between the name and the provider", "write name@provider"
    name, provider = parts
    if not name:
        return "nothing before @; the name is missing", "write name@provider"
    if not provider:
        return "nothing after @; write the provider or drop the @", f'write "{name}"'
    if provider in known or provider.startswith(_NAMESPACED):
        return _known_provider_problem(ref, name, provider, version, project)
    if provider in _ALL:
        if provider == "swarm":
            return ("Traefik v2 has no swarm provider; Swarm labels belong to the docker provider",
                    f'write "{name}@docker"')
        return f"the {provider} provider does not exist in Traefik v3", "move the object to a provider Traefik v3 has"
    if name in _ALL and provider not in _ALL:
        return f'the parts are reversed; write "{provider}@{name}"', f'write "{provider}@{name}"'
    low = provider.lower()
    if low in known:
        return f'provider names are lower case; write "{name}@{low}"', f'write "{name}@{low}"'
    squashed = low.replace("-", "").replace("_", "").replace(".", "")
    close = [k for k in sorted(known) if k == squashed] or difflib.get_close_matches(low, sorted(known), n=1, cutoff=0.6)
    message = f'there is no provider "{provider}"'
    if close:
        message += f'; did you mean "{name}@{close[0]}"?'
    return message, f'write "{name}@{close[0]}"' if close else "use name@provider with a Traefik provider name"


def _known_provider_problem(ref, name: str, provider: str, version: int, project):
    owner = ref.owner
    if (version >= 3 and provider == "docker" and owner is not None and owner.provider == "swarm"
            and "docker" not in project.providers):
        return ("under Traefik v3 the labels of Swarm services belong to the swarm provider; "
                f'write "{name}@swarm"'), f'write "{name}@swarm"'
    if provider == CRD_PROVIDER and "/" in name:
        if project.resolve(ref).status == MISSING:
            return None  # TR201/TR202 report it, with a suggestion
        fixed = name.replace("/", "-")
        return (f'CRD objects are registered as <namespace>-<name>; write "{fixed}@{provider}"',
                f'write "{fixed}@{provider}"')
    return None
