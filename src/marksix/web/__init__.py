"""The web layer: the webhook service (app, runtime, health) and the dashboard.

`create_app(settings)` in `app.py` builds the FastAPI app; `marksix serve`
runs it with uvicorn. Nothing here is imported by the CLI's fast commands.
"""
