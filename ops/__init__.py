"""Operator commands for deployed stages (and the local platform)."""
