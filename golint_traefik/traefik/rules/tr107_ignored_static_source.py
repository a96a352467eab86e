"""TR107 ignored-static-source: flags or TRAEFIK_* variables next to a configuration file (or flags), which Traefik ignores."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.tree import iter_paths

_WHAT = {"flags": ("command-line flag", "--{}"), "env": ("environment variable", "TRAEFIK_{}")}


@traefik_rule("TR107")
def check(p: TraefikPass) -> None:
    for s in p.project.static_configs:
        if s.effective or s.origin not in _WHAT:
            continue
        settings = [(path, node) for path, node in iter_paths(s.root)
                    if node.is_scalar and path.lower() != "configfile"]
        if not settings:
            continue  # only --configFile: it names the file, nothing is lost
        noun, form = _WHAT[s.origin]
        shown = [form.format(path if s.origin == "flags" else path.upper().replace(".", "_")) for path, _ in settings[:3]]
        more = f" and {len(settings) - 3} more" if len(settings) > 3 else ""
        plural = "s" if len(settings) > 1 else ""
        first = settings[0][1]
        p.report(first.key_span or first.span,
                 f"{s.owner}: {len(settings)} {noun}{plural} ({', '.join(shown)}{more}) "
                 f"{'are' if plural else 'is'} ignored: {s.ignored_because}",
                 related=[(n.key_span or n.span, "also ignored") for _, n in settings[1:4]],
                 fix="move these settings into the configuration file" if "file" in s.ignored_because
                 else "pass every setting the same way (all flags or all variables)")
