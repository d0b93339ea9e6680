"""The floor page: the least a Streamlit page can cost (a title, one widget, one line), for comparison."""

import streamlit as st

st.title("Floor")
choice = st.selectbox("Auswahl", ["eins", "zwei", "drei"])
st.write(f"Gewählt: {choice}")
