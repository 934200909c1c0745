"""orgs' HTTP models, one module per area: every request and response shape, in one place."""
