"""serving: see README's layout."""
