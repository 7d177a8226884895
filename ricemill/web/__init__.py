"""Jinja admin pages and static assets."""

import logging
import os

from flask import Flask, abort, jsonify, send_from_directory

log = logging.getLogger(__name__)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NODE_MODULES = os.path.join(ROOT, "node_modules")
# Browser assets installed from npm by the set-up script (package.json); only these are served.
VENDOR_PACKAGES = {
    "socket.io-client": "socket.io-client/dist",
    "chart.js": "chart.js/dist",
    "swagger-ui-dist": "swagger-ui-dist",
}
# The files the pages load from /vendor: without them the pages have no live socket and no chart.
REQUIRED_VENDOR_FILES = ("socket.io-client/dist/socket.io.min.js", "chart.js/dist/chart.umd.js")
STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")


def missing_vendor_files(node_modules: str = NODE_MODULES) -> list[str]:
    return [f for f in REQUIRED_VENDOR_FILES if not os.path.isfile(os.path.join(node_modules, f))]


def check_vendor_assets(app: Flask, node_modules: str = NODE_MODULES) -> None:
    """Production refuses to start without the browser assets (`npm ci`); elsewhere a loud warning."""
    missing = missing_vendor_files(node_modules)
    if not missing:
        return
    message = (
        f"browser assets missing under {node_modules}: {', '.join(missing)}. "
        "Run `npm ci` in the project directory (see README, Deployment): without them the pages "
        "have no live updates and no charts."
    )
    if app.config.get("ENV_NAME") == "production":
        raise RuntimeError(f"ricemill refuses to start in production: {message}")
    log.warning("!" * 20 + " %s " + "!" * 20, message)


def register_web_blueprint(app: Flask) -> None:
    from .books import bp as books
    from .pages import bp

    app.register_blueprint(bp)
    app.register_blueprint(books)
    check_vendor_assets(app)

    @app.get("/favicon.ico")
    def favicon():
        return send_from_directory(STATIC, "favicon.svg", mimetype="image/svg+xml", max_age=86400)

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    @app.get("/vendor/<package>/<path:filename>")
    def vendor(package: str, filename: str):
        folder = VENDOR_PACKAGES.get(package)
        if folder is None:
            abort(404)
        return send_from_directory(os.path.join(NODE_MODULES, folder), filename, max_age=86400)
