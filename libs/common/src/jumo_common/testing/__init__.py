"""Test support: the pytest plugin that finds real servers, and helpers that wait for conditions."""
