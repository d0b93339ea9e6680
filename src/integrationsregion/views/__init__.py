"""View models: one module per page, turning the page's selection into plain data and figures.

Streamlit-free and unit-tested without AppTest; the pages only lay out widgets and call these.
"""
