"""The domain's vocabulary (`docs/model.md`, `docs/domain.md`): enums, entities and domain
errors."""
