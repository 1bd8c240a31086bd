"""The backend's contract, through Flask's test client: `python -m unittest` in this directory."""

import json
import tempfile
import unittest
from datetime import timedelta
from pathlib import Path

from app import create_app

ALICE = {"email": "alice@example.com", "password": "alice-pass"}


class BackendTest(unittest.TestCase):
    def setUp(self):
        self.dist = tempfile.TemporaryDirectory()
        dist = Path(self.dist.name)
        (dist / "index.html").write_text("<!doctype html><title>app</title>")
        (dist / "app.js").write_text("// app")
        config = dist / "lanyard-config.json"
        config.write_text('{"login_field": "email"}')
        self.app = create_app(
            access_ttl=timedelta(minutes=15),
            refresh_ttl=timedelta(days=1),
            secure_cookies=False,
            dist=dist,
            config_file=config,
            test_hooks=True,
        )
        self.client = self.app.test_client()

    def tearDown(self):
        self.dist.cleanup()

    def login(self, client=None):
        response = (client or self.client).post("/auth/login", json=ALICE)
        self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
        return response

    def refresh(self, client=None):
        client = client or self.client
        csrf = client.get_cookie("csrf_refresh_token").value
        return client.post("/auth/refresh", headers={"X-CSRF-TOKEN": csrf})

    def test_login_sets_httponly_tokens_and_readable_csrf_cookies(self):
        response = self.login()
        self.assertEqual(
            response.get_json(),
            {"id": "alice", "email": "alice@example.com", "name": "Alice Liddell", "groups": ["admin"]},
        )
        cookies = {c.split("=")[0]: c for c in response.headers.getlist("Set-Cookie")}
        self.assertIn("HttpOnly", cookies["access_token_cookie"])
        self.assertIn("HttpOnly", cookies["refresh_token_cookie"])
        self.assertIn("Path=/auth", cookies["refresh_token_cookie"])
        self.assertNotIn("HttpOnly", cookies["csrf_access_token"])
        self.assertNotIn("HttpOnly", cookies["csrf_refresh_token"])
        self.assertNotIn("Secure", cookies["access_token_cookie"])

    def test_login_failures(self):
        wrong = self.client.post("/auth/login", json={**ALICE, "password": "nope"})
        self.assertEqual((wrong.status_code, wrong.get_json()), (401, {"msg": "Bad email or password"}))
        blank = self.client.post("/auth/login", json={"email": "  ", "password": "x"})
        self.assertEqual(blank.status_code, 400)
        self.assertIn("msg", blank.get_json())
        self.assertEqual(self.client.post("/auth/login", data="[1]").status_code, 400)

    def test_api_needs_the_access_cookie(self):
        self.assertEqual(self.client.get("/api/whoami").status_code, 401)
        self.login()
        self.assertEqual(self.client.get("/api/whoami").get_json()["id"], "alice")
        self.assertEqual(self.client.get("/api/items?i=17").status_code, 200)

    def test_csrf_failures_are_403_not_401(self):
        self.login()
        response = self.client.post("/auth/refresh")
        self.assertEqual(response.status_code, 403)
        wrong = self.client.post("/auth/refresh", headers={"X-CSRF-TOKEN": "forged"})
        self.assertEqual(wrong.status_code, 403)

    def test_refresh_rotates_and_a_replayed_token_revokes_the_family(self):
        self.login()
        old = self.client.get_cookie("refresh_token_cookie", path="/auth").value
        old_csrf = self.client.get_cookie("csrf_refresh_token").value
        response = self.refresh()
        self.assertEqual((response.status_code, response.get_json()), (200, {"msg": "refreshed"}))
        self.assertNotEqual(self.client.get_cookie("refresh_token_cookie", path="/auth").value, old)
        self.assertEqual(self.client.get("/api/whoami").status_code, 200)

        thief = self.app.test_client()
        thief.set_cookie("refresh_token_cookie", old, path="/auth")
        replay = thief.post("/auth/refresh", headers={"X-CSRF-TOKEN": old_csrf})
        self.assertEqual(replay.status_code, 401)
        self.assertEqual(self.refresh().status_code, 401, "the rotated token died with its family")

    def test_expire_access_hook_gives_token_has_expired(self):
        self.login()
        self.client.post("/_test/expire-access")
        response = self.client.get("/api/whoami")
        self.assertEqual((response.status_code, response.get_json()), (401, {"msg": "Token has expired"}))
        self.assertEqual(self.refresh().status_code, 200)
        self.assertEqual(self.client.get("/api/whoami").status_code, 200, "the new token is not expired")

    def test_revoke_refresh_hook(self):
        self.login()
        self.client.post("/_test/revoke-refresh")
        self.assertEqual(self.refresh().status_code, 401)

    def test_logout_accepts_the_access_csrf_and_ends_the_refresh_family(self):
        self.login()
        refresh_token = self.client.get_cookie("refresh_token_cookie", path="/auth").value
        refresh_csrf = self.client.get_cookie("csrf_refresh_token").value
        self.assertEqual(self.client.post("/auth/logout").status_code, 403, "CSRF is checked")
        csrf = self.client.get_cookie("csrf_access_token").value
        response = self.client.post("/auth/logout", headers={"X-CSRF-TOKEN": csrf})
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(self.client.get_cookie("access_token_cookie"))
        self.assertIsNone(self.client.get_cookie("csrf_refresh_token"))
        again = self.app.test_client()
        again.set_cookie("refresh_token_cookie", refresh_token, path="/auth")
        replay = again.post("/auth/refresh", headers={"X-CSRF-TOKEN": refresh_csrf})
        self.assertEqual(replay.status_code, 401, "refresh after logout is refused")

    def test_stats_have_the_dev_backends_shape(self):
        self.client.post("/_test/reset")
        self.login()
        self.client.get("/api/items?i=3")
        stats = self.client.get("/_test/stats").get_json()
        self.assertEqual(stats["total"], 2)
        self.assertEqual(stats["by_endpoint"]["GET /api/items"], {"200": 1})
        self.assertEqual(stats["by_endpoint"]["POST /auth/login"], {"200": 1})

    def test_serves_the_spa_and_its_config(self):
        self.assertEqual(json.loads(self.client.get("/config.json").data), {"login_field": "email"})
        self.assertEqual(self.client.get("/app.js").get_data(as_text=True), "// app")
        self.assertIn(b"<title>app</title>", self.client.get("/lab?n=3").data)
        self.assertEqual(self.client.get("/api/nope").status_code, 404)
        self.assertEqual(self.client.get("/auth/nope").get_json(), {"msg": "Not found"})


if __name__ == "__main__":
    unittest.main()
