"""Live-Modus: the presenter drives a talk, phones and the big screen follow over Server-Sent Events.

Modules, one concern each:

- ``config``       settings from the environment (data dir, backend, public URL)
- ``scenes``       scenes and talks (``data/live/tour.json``): load, validate, save atomically
- ``data``         the few data look-ups a scene needs (store, with a development fallback)
- ``figures``      ``scene_figure(scene) -> dict``: the plotly figure of a scene, as JSON
- ``state``        the ``LiveState`` interface and the in-process backend (asyncio fan-out)
- ``redis_state``  the Redis backend (pub/sub + keys) for several app processes
- ``polls``        guess-then-reveal polls: SQLite vote store, validation, rate limits
- ``auth``         the presenter token
- ``service``      the live service the routes and the presenter page call
- ``routes``       Starlette routes (audience page, big screen, SSE, votes, control API) and lifespan

No Streamlit imports here except ``auth.presenter_token`` reading ``st.secrets`` lazily.
"""
