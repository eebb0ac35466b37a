"""Club Service: club discovery, creation and updates."""
