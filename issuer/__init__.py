"""The Flask service: an app factory in the shape of Flask's tutorial application."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then environment, then ``test_config``; blueprints last."""
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_PATH"),
                instance_relative_config=True)
    app.config.from_mapping(
        PUBLIC_BASE_URL=os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
    )
    if test_config:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    from issuer.public import bp as public

    app.register_blueprint(public)
    return app
