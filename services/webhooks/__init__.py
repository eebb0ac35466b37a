"""Club webhooks: a club's HTTPS endpoints hear its events, signed, retried and logged."""
