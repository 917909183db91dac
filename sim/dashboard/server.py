"""`schoolsim-dashboard`: start the dashboard's web server.

    schoolsim-dashboard                      # http://127.0.0.1:8765/?token=...
    schoolsim-dashboard --port 9000 --open   # and open a browser
    schoolsim-dashboard --host 0.0.0.0       # reachable from other machines (no login!)

It runs `solara run sim.dashboard.app` in production mode with the page's assets served
from the installed `solara-assets` package (nothing is fetched from the internet), with
Solara's telemetry and version check off and idle sessions freed after an hour. It binds
to 127.0.0.1 unless told otherwise: the page runs simulations on this machine, so
exposing it to a network is a decision to make. Every request must come to the address it
was started on and carry the session's token (in the URL it prints, then a cookie), and a
websocket must come from its own page (`sim.dashboard.guard`).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

from sim.dashboard.guard import Guard, allowed_hosts, new_token

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP = "sim.dashboard.app"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="schoolsim-dashboard",
        description="Start the schoolsim what-if dashboard (a Solara app) in the browser.")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}, this machine only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--open", action="store_true", help="open a web browser at the page")
    parser.add_argument("--log-level", default="warning",
                        choices=["critical", "error", "warning", "info", "debug"],
                        help="server log level (default warning)")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port={args.port} is out of range; allowed: 0 to 65535")
    return args


def solara_argv(args: argparse.Namespace) -> list[str]:
    return ["run", APP, "--host", args.host, "--port", str(args.port), "--production",
            "--open" if args.open else "--no-open", "--no-check-version",
            "--log-level", args.log_level]


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.port == 0:
        args.port = free_port(args.host)
    # Settings Solara reads at import time: no usage telemetry sent anywhere, and a closed
    # tab's session (its runs and baseline) is freed after an hour rather than a day.
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "1h")
    try:
        from solara.__main__ import cli
    except ImportError:
        print("schoolsim-dashboard: error: the dashboard needs its extra; install it with "
              "pip install -e '.[dashboard]'", file=sys.stderr)
        sys.exit(2)
    token = guard_app(args)
    print(f"schoolsim dashboard: http://{args.host}:{args.port}/?token={token} "
          "(Ctrl-C stops it)", flush=True)
    cli.main(solara_argv(args), prog_name="schoolsim-dashboard")


def guard_app(args: argparse.Namespace) -> str:
    """Put `Guard` in front of Solara's app (the one uvicorn serves); return the token."""
    os.environ["SOLARA_APP"] = APP  # read when Solara's server module is first imported
    import solara.server.starlette as served

    token = new_token()
    served.app.add_middleware(Guard, token=token, hosts=allowed_hosts(args.host, args.port))
    return token


if __name__ == "__main__":
    main()
