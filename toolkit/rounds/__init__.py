"""Primary offering: subscription rounds paid in a stablecoin (SPEC §11)."""
