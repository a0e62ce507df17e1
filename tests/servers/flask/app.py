"""Two Flask + flask-cors setups for `preflight check` (tests/test_cli.py).

Usage: python app.py ORIGIN PORT_GOOD PORT_MISSING_METHOD
The API: GET /items -> 200; PUT /items/<id> -> 401 without Authorization, else 200.
"""

import sys
import threading

from flask import Flask, jsonify, request
from flask_cors import CORS
from werkzeug.serving import make_server


def make_app(**cors_options):
    app = Flask(__name__)
    CORS(app, **cors_options)

    @app.get("/items")
    def items():
        return jsonify(items=[])

    @app.route("/items/<item>", methods=["PUT", "DELETE"])
    def item(item):
        if not request.headers.get("Authorization"):
            return jsonify(error="unauthorized"), 401
        return jsonify(id=item)

    return app


def main():
    origin, good, missing_method = sys.argv[1:4]
    headers = ["Authorization", "Content-Type"]
    apps = {
        # Correct: the origin listed, the methods and headers the page uses.
        good: make_app(origins=[origin], methods=["GET", "PUT", "DELETE"], allow_headers=headers, max_age=7200),
        # The methods list lacks PUT.
        missing_method: make_app(origins=[origin], methods=["GET", "POST"], allow_headers=headers),
    }
    servers = [make_server("127.0.0.1", int(port), app, threaded=True) for port, app in apps.items()]
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print("flask listening on", ", ".join(apps), flush=True)
    servers[0].serve_forever()


if __name__ == "__main__":
    main()
