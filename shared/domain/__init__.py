"""Domain vocabulary of `domain-v1.md`: enums, entities and domain errors."""
