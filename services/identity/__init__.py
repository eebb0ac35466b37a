"""Cognito triggers: the user lifecycle seen from the User Profile Service."""
