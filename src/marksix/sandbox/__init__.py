"""A faithful simulated Instagram: Graph API, webhook sender and sandbox JSON API.

    simulator = Simulator(app_secret="s", webhook_url="http://127.0.0.1:8000/webhooks/instagram")
    app.router.routes.extend(simulator.routes)   # or create_simulator_app(...) standalone
    ...
    simulator.close()

GraphClient(simulator.state.account's token, base_url="http://HOST:PORT/simulated-graph")
talks to it exactly as to graph.instagram.com.
"""

from marksix.sandbox.app import DEFAULT_GRAPH_PREFIX, Simulator, create_simulator_app
from marksix.sandbox.faults import FAULT_KINDS, Fault, GraphFailure
from marksix.sandbox.sender import RETRY_DELAYS, WebhookSender
from marksix.sandbox.server import BackgroundServer
from marksix.sandbox.state import DEFAULT_TOKEN, DEFAULT_USERNAME, SimulatorState

__all__ = [
    "DEFAULT_GRAPH_PREFIX",
    "DEFAULT_TOKEN",
    "DEFAULT_USERNAME",
    "FAULT_KINDS",
    "RETRY_DELAYS",
    "BackgroundServer",
    "Fault",
    "GraphFailure",
    "Simulator",
    "SimulatorState",
    "WebhookSender",
    "create_simulator_app",
]
