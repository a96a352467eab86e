"""golint-traefik: a syntax-only linter for Go services and their Traefik configuration."""

__version__ = "0.1.0"
