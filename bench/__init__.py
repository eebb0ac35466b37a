"""Benchmarks (`make bench`): DynamoDB round trips per route and cold-start init ratio."""
