"""A cookie-session backend built the way Flask-JWT-Extended's documentation builds one: JWTs in HttpOnly
cookies with the library's default names, double-submit CSRF, rotating single-use refresh tokens.

Lanyard's end-to-end suite runs the app against it; see README.md for how to run it by hand.
"""

import argparse
import hmac
import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

from flask import Flask, abort, jsonify, request, send_file, send_from_directory
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    create_refresh_token,
    current_user,
    decode_token,
    get_jti,
    get_jwt,
    jwt_required,
    set_access_cookies,
    set_refresh_cookies,
    unset_jwt_cookies,
)
from flask_jwt_extended.exceptions import CSRFError, JWTExtendedException
from jwt.exceptions import PyJWTError

import users
from revocation import Revocations

HERE = Path(__file__).resolve().parent
# Paths the SPA fallback never answers: a typo in an API path must be a JSON 404, not the app's HTML.
API_PREFIXES = ("/api/", "/auth/", "/_test/")
ITEMS = [
    {"id": "apples", "name": "Apples", "count": 3},
    {"id": "pears", "name": "Pears", "count": 5},
    {"id": "plums", "name": "Plums", "count": 8},
]


def create_app(
    access_ttl: timedelta,
    refresh_ttl: timedelta,
    secure_cookies: bool,
    dist: Path | None,
    config_file: Path,
    test_hooks: bool,
) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.update(
        JWT_SECRET_KEY=os.environ.get("JWT_SECRET_KEY") or secrets.token_urlsafe(32),
        JWT_TOKEN_LOCATION=["cookies"],
        JWT_ACCESS_TOKEN_EXPIRES=access_ttl,
        JWT_REFRESH_TOKEN_EXPIRES=refresh_ttl,
        JWT_COOKIE_SECURE=secure_cookies,
        JWT_COOKIE_SAMESITE="Lax",
        JWT_COOKIE_CSRF_PROTECT=True,
        # The refresh cookie goes only to /auth/…: the refresh and logout endpoints, never the API.
        JWT_REFRESH_COOKIE_PATH="/auth",
        # Cookies that outlive a browser restart (as long as the session: see with_session).
        JWT_SESSION_COOKIE=False,
    )
    jwt = JWTManager(app)
    revocations = Revocations(track_access=test_hooks)

    @jwt.user_identity_loader
    def identity(user):
        return user.id

    @jwt.user_lookup_loader
    def lookup(_header, payload):
        return users.by_id(payload["sub"])

    @jwt.token_in_blocklist_loader
    def refused(_header, payload):
        if payload["type"] == "refresh":
            return revocations.refresh_refused(payload)
        return revocations.access_expired(payload["jti"])

    @jwt.revoked_token_loader
    def revoked(_header, payload):
        # An access token ended by the expire-access test hook must look like a naturally expired one.
        if payload["type"] == "access":
            return jsonify(msg="Token has expired"), 401
        return jsonify(msg="Token has been revoked"), 401

    # The library answers a CSRF failure with 401, through the same callback as a missing token. A 401 tells
    # a client "your access token is missing or expired: refresh, then retry", which cannot cure a missing or
    # wrong CSRF header and would make a client loop or end the session for the wrong reason. It is a refused
    # request, not a missing credential: 403. (Registered after JWTManager, so it replaces the library's.)
    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return jsonify(msg=str(error)), 403

    # Both cookies live as long as the refresh token (the library's default is a year): an expired access
    # token stays in its cookie, so the API answers "Token has expired" rather than "Missing cookie".
    session_secs = int(refresh_ttl.total_seconds())

    def with_session(response, user, family: str):
        access = create_access_token(identity=user)
        revocations.issued_access(get_jti(access))
        set_access_cookies(response, access, max_age=session_secs)
        refresh_token = create_refresh_token(identity=user, additional_claims={"fam": family})
        set_refresh_cookies(response, refresh_token, max_age=session_secs)
        return response

    @app.post("/auth/login")
    def login():
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify(msg="Send a JSON object with email and password"), 400
        email, password = body.get("email"), body.get("password")
        if not isinstance(email, str) or not email.strip():
            return jsonify(msg="Missing email"), 400
        if not isinstance(password, str) or not password:
            return jsonify(msg="Missing password"), 400
        user = users.authenticate(email, password)
        if user is None:
            return jsonify(msg="Bad email or password"), 401
        return with_session(jsonify(user.public()), user, revocations.new_family())

    @app.post("/auth/refresh")
    @jwt_required(refresh=True)
    def refresh():
        claims = get_jwt()
        # The blocklist check already ran; this claims the token, so that of two concurrent refreshes with
        # one token exactly one rotates.
        if not revocations.use_refresh(claims):
            return jsonify(msg="Token has been revoked"), 401
        return with_session(jsonify(msg="refreshed"), current_user, claims["fam"])

    @app.post("/auth/logout")
    def logout():
        access = request.cookies.get(app.config["JWT_ACCESS_COOKIE_NAME"])
        refresh_token = request.cookies.get(app.config["JWT_REFRESH_COOKIE_NAME"])
        # Either double-submit token proves the request came from a page of this origin. Lanyard sends the
        # access one (its refresh CSRF cookie is for the refresh call only), so the library's
        # `verify_jwt_in_request(refresh=True)`, which wants the refresh one, would refuse it. An expired
        # access token still counts: signing out after a long idle must work.
        bound = [c for c in (_csrf_claim(access), _csrf_claim(refresh_token)) if c]
        sent = request.headers.get(app.config["JWT_ACCESS_CSRF_HEADER_NAME"], "")
        if bound and not any(hmac.compare_digest(sent, c) for c in bound):
            raise CSRFError("CSRF double submit tokens do not match")
        claims = _valid_claims(refresh_token)
        if claims is not None and claims.get("type") == "refresh":
            revocations.end_family(claims)
        response = jsonify(msg="Logged out")
        unset_jwt_cookies(response)
        return response

    @app.get("/api/whoami")
    @jwt_required()
    def whoami():
        return jsonify(current_user.public())

    @app.get("/api/items")
    @jwt_required()
    def items():
        return jsonify(ITEMS)

    @app.errorhandler(404)
    def not_found(_error):
        return jsonify(msg="Not found"), 404

    @app.errorhandler(405)
    def wrong_method(_error):
        return jsonify(msg="Method not allowed"), 405

    if test_hooks:
        import test_hooks as hooks

        hooks.install(app, revocations)
    if dist is not None:
        _serve_spa(app, dist, config_file)
    return app


def _valid_claims(token: str | None) -> dict | None:
    if not token:
        return None
    try:
        return decode_token(token)
    except (PyJWTError, JWTExtendedException):
        return None


def _csrf_claim(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return decode_token(token, allow_expired=True).get("csrf")
    except (PyJWTError, JWTExtendedException):
        return None


def _serve_spa(app: Flask, dist: Path, config_file: Path) -> None:
    """The built app on the same origin as the API: its files, its config.json, and index.html for every
    other page path (the SPA routes in the browser)."""

    @app.get("/config.json")
    def config():
        return send_file(config_file, mimetype="application/json", max_age=0)

    @app.get("/", defaults={"path": ""})
    @app.get("/<path:path>")
    def spa(path: str):
        if ("/" + path).startswith(API_PREFIXES):
            abort(404)
        if path and (dist / path).is_file():
            return send_from_directory(dist, path)
        return send_file(dist / "index.html", mimetype="text/html", max_age=0)


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bind", default="127.0.0.1:8090", help="HOST:PORT; port 0 picks a free one")
    parser.add_argument("--dist", type=Path, help="the built SPA to serve on the same origin")
    parser.add_argument("--config", type=Path, default=HERE / "config.json", help="served as /config.json")
    parser.add_argument("--access-ttl-secs", type=int, default=int(os.environ.get("ACCESS_TTL_SECS", "900")))
    parser.add_argument("--refresh-ttl-secs", type=int, default=int(os.environ.get("REFRESH_TTL_SECS", "86400")))
    parser.add_argument(
        "--secure-cookies",
        action="store_true",
        default=_env_flag("JWT_COOKIE_SECURE"),
        help="mark the cookies Secure (off by default: plain-HTTP loopback)",
    )
    parser.add_argument("--test-hooks", action="store_true", default=_env_flag("LANYARD_TEST_HOOKS"))
    parser.add_argument("--threads", type=int, default=16, help="waitress worker threads")
    args = parser.parse_args()

    host, _, port = args.bind.rpartition(":")
    if not host or not port.isdigit():
        parser.error(f"--bind wants HOST:PORT, got {args.bind!r}")
    if args.dist is not None and not (args.dist / "index.html").is_file():
        parser.error(f"--dist {args.dist} has no index.html")
    if not args.config.is_file():
        parser.error(f"--config {args.config} does not exist")
    if args.access_ttl_secs < 1 or args.refresh_ttl_secs <= args.access_ttl_secs:
        parser.error("the TTLs must be positive, the refresh token's longer than the access token's")

    app = create_app(
        access_ttl=timedelta(seconds=args.access_ttl_secs),
        refresh_ttl=timedelta(seconds=args.refresh_ttl_secs),
        secure_cookies=args.secure_cookies,
        dist=args.dist.resolve() if args.dist else None,
        config_file=args.config.resolve(),
        test_hooks=args.test_hooks,
    )
    from waitress import create_server

    server = create_server(app, host=host, port=int(port), threads=args.threads)
    # The harnesses wait for this line and read the address from it.
    print(f"flask-jwt backend listening on http://{host}:{server.effective_port}", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
