"""Geduldete & Kosten: tolerated persons per unit, the FlüAG rules and a transparent cost estimate."""

from integrationsregion.ui import cost_estimate, theme
from integrationsregion.ui.layout import footer

theme.page(
    "geduldete",
    intro=(
        "Geduldete und weitere ausreisepflichtige Schutzsuchende in den 15 Kreisen und kreisfreien Städten der "
        "Metropole Ruhr, dazu die Kostenregeln des Flüchtlingsaufnahmegesetzes NRW (FlüAG) und eine offen "
        "gerechnete Schätzung der Kosten, die das Land den Kommunen nicht erstattet."
    ),
    default="rejected_protection_status_with_duldung",
    extra=cost_estimate.section,
)
footer()
