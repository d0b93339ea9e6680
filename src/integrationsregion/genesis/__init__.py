"""Refresh of the snapshot from the official services (GENESIS web services, BKG WFS)."""
