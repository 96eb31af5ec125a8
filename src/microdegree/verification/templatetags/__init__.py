"""Template filters of the verification pages."""
