"""XS1xx rules: Go services versus the Traefik configuration in front of them."""
