"""The Authorization Service: pure capability derivation, no stored permissions."""

from shared.authz.capabilities import (
    AuthzContext,
    Capability,
    MembershipView,
    Principal,
    capabilities,
    holds,
    require,
)

__all__ = [
    "AuthzContext",
    "Capability",
    "MembershipView",
    "Principal",
    "capabilities",
    "holds",
    "require",
]
