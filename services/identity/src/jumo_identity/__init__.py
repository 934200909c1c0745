"""Jumo identity: Facebook sign-up and login, Jumo's own tokens, profiles and the follow graph."""
