"""simulator: see README's layout."""
