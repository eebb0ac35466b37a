"""User Profile Service: profiles and SystemRole (Cognito stays the identity authority)."""
