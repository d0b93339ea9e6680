"""Integrationsregion Ruhr: data, figures and live mode for the dashboard."""
