"""Placeholder until its issue lands."""

import streamlit as st

from integrationsregion.ui.layout import footer

st.title("In Arbeit")
st.info("Diese Seite ist in Arbeit.")
footer()
