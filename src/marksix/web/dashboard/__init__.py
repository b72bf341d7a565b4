"""The dashboard (login, accounts, reply log, queue, settings, statistics, post
card) and the sandbox's first page, installed onto the service's FastAPI app."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from marksix.web.dashboard.core import STATIC, LoginRequired, login_required_response


def install_dashboard(app: FastAPI, runtime: Any = None) -> None:
    """Add the dashboard's routes, static files and login guard to `app`.

    `runtime` may be None: the routes read `app.state.runtime` per request,
    because the app's lifespan builds the runtime after routes are added.
    """
    from marksix.web.dashboard import articles, health, login, pages, posts, sandbox_page

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="marksix_static")
    app.include_router(login.router)
    app.include_router(pages.router)
    app.include_router(posts.router)
    app.include_router(sandbox_page.router)
    app.include_router(articles.router)
    app.include_router(health.router)

    async def login_required(request: Request, problem: Exception) -> Response:
        return login_required_response(request)

    app.add_exception_handler(LoginRequired, login_required)
