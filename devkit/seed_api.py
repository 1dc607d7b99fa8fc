"""The seed's client of the API: a manager signed in, with retries of transient answers."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import requests

TIMEOUT_S = 30
TOKEN_MAX_AGE_S = 600  # access tokens live 15 minutes: sign in again well before
RETRIES = 6
TRANSIENT = {429, 500, 502, 503, 504}


class SeedError(SystemExit):
    """The seed cannot go on: the message says why."""


@dataclass
class Target:
    api_url: str
    email: str
    password: str


class Api:
    """A manager's client of the API: signs in, re-signs in before the token expires, retries."""

    def __init__(self, target: Target) -> None:
        self.url = target.api_url.rstrip("/")
        self._target = target
        self._token = ""
        self._signed_in_at = 0.0
        self._lock = threading.Lock()
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def sign_in(self) -> str:
        with self._lock:
            if self._token and time.monotonic() - self._signed_in_at < TOKEN_MAX_AGE_S:
                return self._token
            body = {"email": self._target.email, "password": self._target.password}
            answer = self.request("POST", "/v1/auth/login", body, auth=False)
            if answer.status_code != 200:
                raise SeedError(f"sign-in as {self._target.email} at {self.url} refused: {detail(answer)}")
            signed_in = answer.json()
            if signed_in["user"]["role"] not in ("manager", "admin"):
                raise SeedError(f"{self._target.email} is a {signed_in['user']['role']}: a manager or admin is needed")
            self._token, self._signed_in_at = str(signed_in["access_token"]), time.monotonic()
            return self._token

    def request(self, method: str, path: str, body: Any = None, *, auth: bool = True) -> requests.Response:
        """One call, retried while the answer is transient (throttling, a 5xx, no connection)."""
        for attempt in range(RETRIES):
            headers = {"Authorization": f"Bearer {self.sign_in()}"} if auth else {}
            try:
                answer = self._session().request(method, self.url + path, json=body, headers=headers, timeout=TIMEOUT_S)
            except requests.ConnectionError:
                if attempt == RETRIES - 1:
                    raise SeedError(f"cannot reach {self.url}") from None
                time.sleep(0.25 * 2**attempt)
                continue
            if answer.status_code not in TRANSIENT or attempt == RETRIES - 1:
                return answer
            time.sleep(min(float(answer.headers.get("Retry-After") or 0.5 * 2**attempt), 5.0))
        raise AssertionError("unreachable")


def detail(answer: requests.Response) -> str:
    try:
        return f"{answer.status_code} {answer.json().get('detail') or answer.text[:200]}"
    except ValueError:
        return f"{answer.status_code} {answer.text[:200]}"
