"""Jumo notifier: in-app notifications, email and digests, and joins shown on Facebook."""
