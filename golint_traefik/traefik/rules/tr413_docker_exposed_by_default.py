"""TR413 docker-exposed-by-default: the Docker/Swarm provider publishes every container unless told otherwise."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.values import option_label


@traefik_rule("TR413")
def check(p: TraefikPass) -> None:
    project = p.project
    # Compose services that carry no traefik label at all: published only because of the default.
    unlabelled = sorted({svc.name for cf in project.compose_files for svc in cf.services
                         if not svc.is_traefik and not svc.traefik_labels()})
    for static in project.static:
        providers = static.root.get("providers")
        if providers is None or not providers.is_map:
            continue
        for name in ("docker", "swarm"):
            section = providers.get(name)
            if section is None or (section.is_scalar and section.as_bool() is not True):
                continue
            written = f"{providers.key}.{section.key}"
            flag = section.get("exposedByDefault") if section.is_map else None
            if flag is not None and flag.as_bool() is False:
                continue
            if flag is not None and flag.as_bool() is None:
                continue  # not a boolean: Traefik refuses the configuration (a TR1xx concern)
            where = flag.where if flag is not None else section.where
            option = option_label(static.origin, f"{written}.{flag.key if flag is not None else 'exposedByDefault'}")
            state = f"{option} is true" if flag is not None else f"{option} is not set (default true)"
            if name == "docker" and unlabelled:
                shown = ", ".join(f'"{s}"' for s in unlabelled[:3]) + (", ..." if len(unlabelled) > 3 else "")
                message = (f"{state}: Traefik creates a router for every container, including services without "
                           f"traefik labels ({shown}), under the default rule (Host(`<container name>`) unless "
                           "defaultRule says otherwise)")
                severity = None
            else:
                scope = "service of the swarm" if name == "swarm" else "container on the Docker host"
                message = (f"{state}: Traefik creates a router for every {scope}, including databases and admin "
                           "tools that were never meant to be published")
                severity = p.note_if(True)
            p.report(where, message, severity=severity,
                     fix=f"set {option_label(static.origin, written + '.exposedByDefault')}=false and label the "
                         "containers to publish with traefik.enable=true")
