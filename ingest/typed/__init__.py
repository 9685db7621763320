"""typed: see README's layout."""
