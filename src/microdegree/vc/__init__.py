"""The framework-free credential core (facade filled in as modules land)."""
