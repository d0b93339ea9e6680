"""A deliberately faulty page for checking the checks: `?fall=<case>` picks what goes wrong.

ok: a bar chart, a line chart and a choropleth (all with data); exception: an uncaught exception;
error: an `st.error`; empty: a figure without data; blank: a figure whose traces hold only gaps.
"""

import plotly.graph_objects as go
import streamlit as st

case = st.query_params.get("fall", "ok")
st.title(f"Prüfseite: {case}")
if case == "exception":
    raise RuntimeError("absichtlicher Fehler")
if case == "error":
    st.error("Absichtlicher Fehlerhinweis.")
if case == "empty":
    st.plotly_chart(go.Figure(layout={"title": {"text": "leer"}}))
elif case == "blank":
    st.plotly_chart(go.Figure(go.Bar(x=["a", "b"], y=[None, None])))
else:
    st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[3, 1, 2])))
    st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[2, 3, 1], mode="lines")))
    square = {"type": "Polygon", "coordinates": [[[7, 51], [7.5, 51], [7.5, 51.5], [7, 51.5], [7, 51]]]}
    geojson = {"type": "FeatureCollection", "features": [{"type": "Feature", "id": "x", "geometry": square}]}
    fig = go.Figure(go.Scattergeo(lon=[7.2], lat=[51.2], mode="markers"))  # first: no world topojson fetch
    fig.add_trace(go.Choropleth(geojson=geojson, locations=["x"], z=[1.0]))
    fig.update_geos(fitbounds="locations", visible=False)
    st.plotly_chart(fig)
