"""Jumo feed: the home news feed."""
