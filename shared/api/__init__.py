"""API helpers: the resolver factory, error envelope and caller identity."""
