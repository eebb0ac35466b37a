"""Verifies Cognito ID tokens the way API Gateway's Cognito user pools authorizer does:
RS256 signature against the pool's JWKS, expiry, issuer, audience and token_use."""

from typing import Any

import jwt


class InvalidToken(Exception):
    pass


class TokenVerifier:
    def __init__(self, jwks: dict[str, Any], *, issuer: str, audience: str) -> None:
        self._keys = {key["kid"]: jwt.PyJWK(key) for key in jwks["keys"]}
        self.issuer = issuer
        self.audience = audience

    def verify(self, authorization: str | None) -> dict[str, Any]:
        """The token's claims, or InvalidToken. Accepts the raw token or `Bearer <token>`."""
        if not authorization:
            raise InvalidToken("missing token")
        # The scheme is case-insensitive (RFC 7235): "Bearer", "bearer", "BEARER".
        scheme, _, credentials = authorization.strip().partition(" ")
        token = credentials.strip() if scheme.lower() == "bearer" else authorization.strip()
        try:
            key = self._keys.get(jwt.get_unverified_header(token).get("kid"))
            if key is None:
                raise InvalidToken("unknown signing key")
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from error
        if claims.get("token_use") != "id":
            raise InvalidToken("not an ID token")
        return claims
