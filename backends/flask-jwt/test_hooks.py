"""Test hooks (only with --test-hooks): request counters, injected latency, and switches that expire or
revoke every token issued so far. The counters have the dev backend's shape,
`{"total": N, "by_endpoint": {"METHOD /path": {"STATUS": N}}}`, so the end-to-end suite reads both alike."""

import threading
import time

from flask import Blueprint, jsonify, request

# What is counted and delayed: the API, not the app's files or the hooks themselves.
COUNTED_PREFIXES = ("/api/", "/auth/")
REFRESH_PATH = "/auth/refresh"
MAX_LATENCY_MS = 60_000


class Stats:
    def __init__(self):
        self._lock = threading.Lock()
        self._total = 0
        self._by_endpoint: dict[str, dict[str, int]] = {}
        self._latency_ms = 0
        self._refresh_extra_ms = 0

    def record(self, endpoint: str, status: int) -> None:
        with self._lock:
            self._total += 1
            by_status = self._by_endpoint.setdefault(endpoint, {})
            by_status[str(status)] = by_status.get(str(status), 0) + 1

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "total": self._total,
                "by_endpoint": {k: dict(v) for k, v in self._by_endpoint.items()},
            }

    def reset(self) -> None:
        with self._lock:
            self._total = 0
            self._by_endpoint.clear()
            self._latency_ms = self._refresh_extra_ms = 0

    def set_latency(self, ms: int, refresh_ms: int) -> None:
        with self._lock:
            self._latency_ms, self._refresh_extra_ms = ms, refresh_ms

    def latency_for(self, path: str) -> float:
        with self._lock:
            ms = self._latency_ms + (self._refresh_extra_ms if path == REFRESH_PATH else 0)
        return ms / 1000


def install(app, revocations) -> None:
    """Registers the hooks' routes and the counting around every API call."""
    stats = Stats()
    hooks = Blueprint("test_hooks", __name__, url_prefix="/_test")

    @app.before_request
    def delay():
        if request.path.startswith(COUNTED_PREFIXES):
            pause = stats.latency_for(request.path)
            if pause:
                time.sleep(pause)

    @app.after_request
    def count(response):
        if request.path.startswith(COUNTED_PREFIXES):
            stats.record(f"{request.method} {request.path}", response.status_code)
        return response

    @hooks.get("/stats")
    def get_stats():
        return jsonify(stats.snapshot())

    @hooks.post("/reset")
    def reset():
        stats.reset()
        return jsonify(msg="reset")

    @hooks.post("/expire-access")
    def expire_access():
        revocations.expire_all_access()
        return jsonify(msg="every access token issued so far has expired")

    @hooks.post("/revoke-refresh")
    def revoke_refresh():
        revocations.revoke_all_refresh()
        return jsonify(msg="every refresh token issued so far is revoked")

    @hooks.post("/latency")
    def latency():
        body = request.get_json(silent=True) or {}
        values = [body.get("ms", 0), body.get("refresh_ms", 0)]
        if not all(isinstance(v, int) and 0 <= v <= MAX_LATENCY_MS for v in values):
            return jsonify(msg=f"ms and refresh_ms must be whole numbers up to {MAX_LATENCY_MS}"), 400
        stats.set_latency(*values)
        return jsonify(msg="latency set")

    app.register_blueprint(hooks)
    app.logger.warning("test hooks are ON: never run like this in production")
