"""A local HTTP server playing Bot Framework's token-signing metadata and keys
(login.botframework.com), and the tokens Bot Framework signs with them.

It runs in a thread of its own, so it answers even while whoever fetches from it blocks the event
loop. It counts requests per document, can be slowed down or made to fail, and keys can be
rotated."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://api.botframework.com"
METADATA_PATH = "/v1/.well-known/openidconfiguration"
KEYS_PATH = "/v1/.well-known/keys"


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class FakeBotKeys:
    def __init__(self, app_id: str) -> None:
        self.app_id = app_id
        self.delay = 0.0
        """Seconds every answer waits."""
        self.failing = False
        """Answer 500 to everything."""
        self.piecemeal = False
        """Send each answer in small pieces, a few milliseconds apart."""
        self.requests: Counter[str] = Counter()
        self._private: dict[str, rsa.RSAPrivateKey] = {}
        self._endorsements: dict[str, list[str]] = {}
        self._published: list[str] = []
        self._lock = threading.Lock()
        self.publish("key-1")
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with fake._lock:
                    fake.requests[self.path] += 1
                time.sleep(fake.delay)
                body = fake._document(self.path)
                status = 500 if fake.failing else 200 if body is not None else 404
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                answer = body if status == 200 and body else b"{}"
                piece = 100 if fake.piecemeal else len(answer)
                for start in range(0, len(answer), piece):
                    self.wfile.write(answer[start : start + piece])
                    self.wfile.flush()
                    time.sleep(0.005 if fake.piecemeal else 0)

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.metadata_url = f"{self.base}{METADATA_PATH}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def key_set_fetches(self) -> int:
        return self.requests[KEYS_PATH]

    def publish(self, *key_ids: str, endorsements: tuple[str, ...] = ("msteams",)) -> None:
        """From now on the key set holds exactly these keys (new ones are made as needed)."""
        for key_id in key_ids:
            self.key(key_id)
            self._endorsements[key_id] = list(endorsements)
        self._published = list(key_ids)

    def key(self, key_id: str) -> rsa.RSAPrivateKey:
        """The private key `key_id` (made on first use, published only by `publish`)."""
        if key_id not in self._private:
            self._private[key_id] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self._private[key_id]

    def token(self, service_url: str, *, key_id: str = "key-1", **claims: Any) -> str:
        """A token as Bot Framework signs it for this bot; `claims` override or add claims."""
        now = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": self.app_id,
            "serviceurl": service_url,
            "nbf": now - 10,
            "exp": now + 3600,
            **claims,
        }
        return jwt.encode(payload, self.key(key_id), algorithm="RS256", headers={"kid": key_id})

    def _document(self, path: str) -> bytes | None:
        if path == METADATA_PATH:
            return json.dumps(
                {
                    "issuer": ISSUER,
                    "jwks_uri": f"{self.base}{KEYS_PATH}",
                    "id_token_signing_alg_values_supported": ["RS256"],
                }
            ).encode()
        if path == KEYS_PATH:
            keys = []
            for key_id in self._published:
                numbers = self._private[key_id].public_key().public_numbers()
                keys.append(
                    {
                        "kty": "RSA",
                        "use": "sig",
                        "kid": key_id,
                        "n": _b64(numbers.n),
                        "e": _b64(numbers.e),
                        "endorsements": self._endorsements[key_id],
                    }
                )
            return json.dumps({"keys": keys}).encode()
        return None
