"""The two demo accounts, looked up by email (how they sign in) or by id (what the tokens carry)."""

from dataclasses import dataclass, field

from werkzeug.security import check_password_hash, generate_password_hash


@dataclass(frozen=True)
class User:
    id: str
    email: str
    name: str
    password_hash: str = field(repr=False)
    # None: the account has no "groups" field at all (a shape Lanyard must tolerate).
    groups: list[str] | None = None

    def public(self) -> dict:
        """The user as the API shows it: at the top level of the answer, string id, no password hash."""
        body = {"id": self.id, "email": self.email, "name": self.name}
        if self.groups is not None:
            body["groups"] = list(self.groups)
        return body


_USERS = [
    User("alice", "alice@example.com", "Alice Liddell", generate_password_hash("alice-pass"), ["admin"]),
    User("bob", "bob@example.com", "Bob Cratchit", generate_password_hash("bob-pass")),
]
_BY_EMAIL = {user.email: user for user in _USERS}
_BY_ID = {user.id: user for user in _USERS}
# Checked against when the email is unknown, so that a wrong email takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password")


def by_id(user_id: str) -> User | None:
    return _BY_ID.get(user_id)


def authenticate(email: str, password: str) -> User | None:
    user = _BY_EMAIL.get(email.strip().lower())
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None
