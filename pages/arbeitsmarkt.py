"""Arbeitsmarkt: unemployment and employment of foreigners in the 15 Ruhr units, beside the conference statements."""

from integrationsregion.ui import theme
from integrationsregion.ui.layout import footer

theme.page(
    "arbeitsmarkt",
    intro=(
        "Arbeitslosigkeit und Beschäftigung von Ausländerinnen und Ausländern im Vergleich zur Bevölkerung insgesamt "
        "in den 15 Kreisen und kreisfreien Städten der Metropole Ruhr – neben den Aussagen der Sozialkonferenz Ruhr "
        "2019 zu „Fachkräfte sichern, Perspektive geben“."
    ),
    default="unemployment_rate",
)
footer()
