"""TR108 file-provider-filename-and-directory: providers.file sets both; Traefik loads the directory and ignores filename."""

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule


@traefik_rule("TR108")
def check(p: TraefikPass) -> None:
    for s in p.project.static:
        provider = s.root.find("providers.file")
        if provider is None or not provider.is_map:
            continue
        filename, directory = provider.get("filename"), provider.get("directory")
        if filename is None or directory is None or not filename.text() or not directory.text():
            continue
        p.report(filename.where,
                 f'providers.file sets both filename ("{filename.text()}") and directory ("{directory.text()}"): '
                 "Traefik loads the directory and ignores filename",
                 related=[(directory.where, "directory set here")],
                 fix="keep one of them: put the file in the directory, or drop directory")
