"""Bildung: school leavers, pupils and Kita children in the 15 Ruhr units, beside the conference statements."""

from integrationsregion.ui import theme
from integrationsregion.ui.layout import footer

theme.page(
    "bildung",
    intro=(
        "Schulabschlüsse, ausländische Schülerinnen und Schüler und Kita-Kinder aus zugewanderten Familien in den "
        "15 Kreisen und kreisfreien Städten der Metropole Ruhr – neben den Aussagen der Sozialkonferenz Ruhr 2019 "
        "zu „Bildung und Sprache als Erfolgsfaktoren der Integration“."
    ),
    default="school_leavers_no_degree_share",
)
footer()
