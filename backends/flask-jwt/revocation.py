"""In-memory token revocation: single-use refresh tokens grouped in families, and the test hooks'
"every token issued so far" switches. Shared by waitress's worker threads, hence the lock."""

import threading
import uuid


class Revocations:
    def __init__(self, track_access: bool):
        self._lock = threading.Lock()
        # Refresh tokens already exchanged (or logged out): each may be used once.
        self._used_refresh: set[str] = set()
        # A family is one login's chain of rotated refresh tokens.
        self._families: set[str] = set()
        self._revoked_families: set[str] = set()
        # Only with the test hooks on: the access tokens issued so far, so that the expire-access hook can
        # end exactly those (a timestamp would not do: `iat` counts whole seconds, and the token issued by
        # the refresh right after the hook shares that second).
        self._track_access = track_access
        self._issued_access: set[str] = set()
        self._expired_access: set[str] = set()

    def new_family(self) -> str:
        family = uuid.uuid4().hex
        with self._lock:
            self._families.add(family)
        return family

    def refresh_refused(self, payload: dict) -> bool:
        """Whether a refresh token may no longer be used. A token presented twice is a stolen copy (or a
        stolen original): the whole family is revoked, so the thief's rotated token dies as well."""
        jti, family = payload["jti"], payload.get("fam")
        with self._lock:
            if jti in self._used_refresh:
                self._revoked_families.add(family)
                return True
            return family is None or family in self._revoked_families

    def use_refresh(self, payload: dict) -> bool:
        """Marks a refresh token used; False if another request used it first (two concurrent refreshes
        with one token: exactly one wins)."""
        jti = payload["jti"]
        with self._lock:
            if jti in self._used_refresh or payload.get("fam") in self._revoked_families:
                return False
            self._used_refresh.add(jti)
            return True

    def end_family(self, payload: dict) -> None:
        """Logout: the token and every later rotation of it are refused."""
        with self._lock:
            self._used_refresh.add(payload["jti"])
            self._revoked_families.add(payload.get("fam"))

    def issued_access(self, jti: str) -> None:
        if self._track_access:
            with self._lock:
                self._issued_access.add(jti)

    def access_expired(self, jti: str) -> bool:
        with self._lock:
            return jti in self._expired_access

    # The test hooks.

    def expire_all_access(self) -> None:
        with self._lock:
            self._expired_access |= self._issued_access
            self._issued_access.clear()

    def revoke_all_refresh(self) -> None:
        with self._lock:
            self._revoked_families |= self._families
