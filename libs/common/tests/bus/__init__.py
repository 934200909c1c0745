"""Bus, events and outbox tests (a package so its modules share helpers from conftest)."""
