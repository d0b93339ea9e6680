"""Live-Modus: the presenter drives a talk, phones and the big screen follow over Server-Sent Events.

Modules, one concern each:

- ``scenes``       scenes and talks: load, validate (bare ``{name}`` placeholders, caps), save atomically
- ``data``         a scene's cross-section from the shared Store and catalogue (unknown indicator = error)
- ``svg``          scene and poll figures as server-rendered SVG (matplotlib), cached per scene
- ``state``        the ``LiveState`` interface and the in-process backend (asyncio fan-out)
- ``redis_state``  the Redis backend: state, votes, counters and tour shared by several processes
- ``polls``        guess validation, SQLite vote store (damaged file moved aside), counters, summary
- ``device``       signed device cookies (one vote per device)
- ``auth``         the presenter token and the login guard (correct token first, failures counted)
- ``address``      the audience address (``IR_PUBLIC_URL`` or LAN address) and its QR code
- ``tour_store``   where the tour is kept (Redis or ``state_dir``, else ``IR_LIVE_TOUR``) and its catalogue check
- ``rendering``    the followers' JSON payload and the scene/result SVG figures, each built once (bounded caches)
- ``service``      the process's live service: starts/stops the backends, keeps the tour, publishes a status
- ``presenter``    the presenter's actions (step, goto, own scene, poll, save tour), login and status
- ``voting``       admitting a guess (one per device, a cap per network) and the revealed result
- ``console``      the presenter console's view model (``pages/live.py`` only lays it out)
- ``routes``       the route table (``live_routes``, mounted below a base path) and ``standalone_app``
- ``web``          what every route shares: the German 503 guard, JSON answers, bounded JSON bodies
- ``pages``        audience page, big screen, QR code and figure SVGs (``templates/``: HTML, CSS, JavaScript)
- ``stream``       the Server-Sent Events stream, the state and the follower count as JSON
- ``vote_api``     a phone's vote
- ``presenter_api`` the presenter's HTTP API (token in the Authorization header)
- ``lifespan``     starts the live service with the server and ends the event streams on shutdown

Settings come from ``integrationsregion.settings``; no Streamlit imports here.
"""
