"""Plumbing shared by every Jumo service. No domain logic lives here."""
