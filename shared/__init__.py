"""Code shared by every Lambda of the platform, shipped as the `shared` Lambda layer."""
