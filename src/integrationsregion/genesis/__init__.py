"""Refresh of the snapshot from the GENESIS web services (Regionaldatenbank, GENESIS-Online, Landesdatenbank NRW)."""
