"""Integration Service: publishes domain events and runs their consumers."""
