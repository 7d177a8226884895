"""Jinja admin pages and static assets."""

import os

from flask import Flask, abort, jsonify, send_from_directory

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NODE_MODULES = os.path.join(ROOT, "node_modules")
# Browser assets installed from npm by the set-up script (package.json); only these are served.
VENDOR_PACKAGES = {
    "socket.io-client": "socket.io-client/dist",
    "chart.js": "chart.js/dist",
    "swagger-ui-dist": "swagger-ui-dist",
}


def register_web_blueprint(app: Flask) -> None:
    from .books import bp as books
    from .pages import bp

    app.register_blueprint(bp)
    app.register_blueprint(books)

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    @app.get("/vendor/<package>/<path:filename>")
    def vendor(package: str, filename: str):
        folder = VENDOR_PACKAGES.get(package)
        if folder is None:
            abort(404)
        return send_from_directory(os.path.join(NODE_MODULES, folder), filename, max_age=86400)
