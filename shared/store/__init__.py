"""The single-table store: schema, key builders, table access and error mapping."""
