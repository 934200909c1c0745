"""Jumo orgs: organizations, their people, causes, following, news, reviews, moderation."""
