"""One private module per proof suite."""
