"""landing: see README's layout."""
