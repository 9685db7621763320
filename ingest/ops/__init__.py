"""ops: see README's layout."""
