"""A small, real OpenID Connect provider for the tests: an HTTP server on 127.0.0.1 (a free
port, in a thread) with discovery, ``/authorize`` (consents at once for the BSN the test chose
and redirects back with a code), ``/token`` (checks the client, the code, the redirect URI and
PKCE; answers an RS256-signed ID token and an access token), ``/jwks``, ``/userinfo`` and
``/end-session`` (checks the ID token hint and redirects to the post-logout URI).

Knobs (:class:`Knobs`, reset per test) make it issue a token a relying party must refuse: a
wrong audience or issuer, an expired token, a token without the BSN claim, a token signed with
another key than the one it publishes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

CLIENT_ID = "meedoen-test-client"
CLIENT_SECRET = "a-test-secret-only"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int_bytes(number: int) -> bytes:
    return number.to_bytes((number.bit_length() + 7) // 8, "big")


@dataclass
class SigningKey:
    kid: str
    key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(
            secrets.token_hex(8), rsa.generate_private_key(public_exponent=65537, key_size=2048)
        )

    def jwk(self) -> dict[str, str]:
        numbers = self.key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": b64url(_int_bytes(numbers.n)),
            "e": b64url(_int_bytes(numbers.e)),
        }

    def sign(self, claims: dict[str, Any], *, kid: str | None = None) -> str:
        """A compact JWS (RS256) of ``claims``; ``kid`` names another key in the header."""
        header = {"alg": "RS256", "typ": "JWT", "kid": kid or self.kid}
        signing_input = (
            b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        )
        signature = self.key.sign(
            signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
        )
        return signing_input + "." + b64url(signature)

    def verify(self, token: str) -> dict[str, Any] | None:
        """The claims of a compact JWS this key signed, or None."""
        try:
            header_b64, payload_b64, signature_b64 = token.split(".")
            self.key.public_key().verify(
                b64url_decode(signature_b64),
                f"{header_b64}.{payload_b64}".encode("ascii"),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
            claims: dict[str, Any] = json.loads(b64url_decode(payload_b64))
        except Exception:
            return None
        return claims


@dataclass
class Knobs:
    """What the next ID token looks like (the test sets these before it signs in)."""

    bsn: str | None = "999990019"
    bsn_claim: str = "bsn"
    audience: str | list[str] | None = None  # None: the client id
    azp: str | None = None
    issuer: str | None = None  # None: the provider's own issuer
    lifetime: int = 300  # seconds from now to exp; negative: expired
    issued_offset: int = 0  # seconds added to iat (positive: issued in the future)
    nonce: str | None = None  # None: the nonce of the authorization request
    wrong_key: bool = False  # sign with a key the JWKS does not publish (same kid)
    algorithm: str = "RS256"  # or HS256 (keyed with the client secret) or none (unsigned)
    extra_claims: dict[str, Any] = field(default_factory=dict)


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    scope: str


class LocalProvider:
    """The provider; :meth:`start` serves it, :meth:`stop` ends it. ``issuer`` is its base URL."""

    def __init__(self) -> None:
        self.key = SigningKey.generate()
        self.other_key = SigningKey(self.key.kid, SigningKey.generate().key)
        self.knobs = Knobs()
        self.grants: dict[str, Grant] = {}
        self.access_tokens: dict[str, dict[str, Any]] = {}
        self.issued: list[str] = []  # every ID token issued, in order
        self.end_sessions: list[dict[str, str]] = []  # the query of every end-session call
        self.token_requests: list[dict[str, str]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- life cycle ---------------------------------------------------------------------

    def start(self) -> LocalProvider:
        provider = self

        class Handler(_Handler):
            owner = provider

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def reset(self) -> None:
        self.knobs = Knobs()
        self.grants.clear()
        self.access_tokens.clear()
        self.issued.clear()
        self.end_sessions.clear()
        self.token_requests.clear()

    @property
    def issuer(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def settings(self) -> dict[str, Any]:
        """Django settings that point meedoen at this provider."""
        return {
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": self.issuer + "/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": self.issuer + "/token",
            "OIDC_OP_JWKS_ENDPOINT": self.issuer + "/jwks",
            "OIDC_OP_END_SESSION_ENDPOINT": self.issuer + "/end-session",
        }

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "jwks_uri": self.issuer + "/jwks",
            "userinfo_endpoint": self.issuer + "/userinfo",
            "end_session_endpoint": self.issuer + "/end-session",
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid"],
        }

    # --- the flow -----------------------------------------------------------------------

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != CLIENT_ID or not redirect_uri:
            return 400, {}, b"unknown client or no redirect_uri"
        if query.get("response_type") != "code" or "openid" not in query.get("scope", "").split():
            return 400, {}, b"code flow with the openid scope only"
        code = secrets.token_urlsafe(24)
        self.grants[code] = Grant(
            client_id=CLIENT_ID,
            redirect_uri=redirect_uri,
            nonce=query.get("nonce"),
            code_challenge=query.get("code_challenge"),
            code_challenge_method=query.get("code_challenge_method"),
            scope=query.get("scope", ""),
        )
        back = {"code": code, "state": query.get("state", "")}
        separator = "&" if "?" in redirect_uri else "?"
        return 302, {"Location": redirect_uri + separator + urlencode(back)}, b""

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        self.token_requests.append(dict(form))
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        grant = self.grants.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant.redirect_uri != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        if grant.code_challenge:
            verifier = form.get("code_verifier", "")
            expected = b64url(hashlib.sha256(verifier.encode("ascii")).digest())
            if grant.code_challenge_method != "S256" or expected != grant.code_challenge:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        knobs = self.knobs
        now = int(time.time())
        subject = "sub-" + hashlib.sha256((knobs.bsn or "none").encode()).hexdigest()[:20]
        claims: dict[str, Any] = {
            "iss": knobs.issuer or self.issuer,
            "sub": subject,
            "aud": knobs.audience if knobs.audience is not None else CLIENT_ID,
            "exp": now + knobs.lifetime,
            "iat": now + knobs.issued_offset,
            "auth_time": now,
            "acr": "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
        }
        nonce = knobs.nonce if knobs.nonce is not None else grant.nonce
        if nonce is not None:
            claims["nonce"] = nonce
        if knobs.azp is not None:
            claims["azp"] = knobs.azp
        if knobs.bsn is not None:
            claims[knobs.bsn_claim] = knobs.bsn
        claims.update(knobs.extra_claims)
        signer = self.other_key if knobs.wrong_key else self.key
        if knobs.algorithm == "RS256":
            id_token = signer.sign(claims)
        else:
            id_token = _unsafe_token(claims, algorithm=knobs.algorithm, kid=signer.kid)
        self.issued.append(id_token)
        access_token = secrets.token_urlsafe(24)
        self.access_tokens[access_token] = {"sub": subject, knobs.bsn_claim: knobs.bsn}
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }

    def userinfo(self, authorization: str) -> tuple[int, dict[str, Any]]:
        info = self.access_tokens.get(authorization.removeprefix("Bearer ").strip())
        if info is None:
            return 401, {"error": "invalid_token"}
        return 200, info

    def end_session(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.end_sessions.append(dict(query))
        claims = self.key.verify(query.get("id_token_hint", ""))
        if claims is None or claims.get("aud") != CLIENT_ID:
            return 400, {}, b"id_token_hint is not a token this provider issued to the client"
        target = query.get("post_logout_redirect_uri")
        if not target:
            return 200, {"Content-Type": "text/plain"}, b"signed out"
        return 302, {"Location": target}, b""


def _unsafe_token(claims: dict[str, Any], *, algorithm: str, kid: str) -> str:
    """A token a relying party must refuse: HS256 keyed with the client secret (the secret is
    no signing key of the provider's), or ``none``: no signature at all."""
    header = {"alg": algorithm, "typ": "JWT", "kid": kid}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    if algorithm == "HS256":
        digest = hmac.new(CLIENT_SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
        return signing_input + "." + b64url(digest)
    return signing_input + "."


class _Handler(BaseHTTPRequestHandler):
    owner: LocalProvider

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, {"Content-Type": "application/json"}, json.dumps(payload).encode())

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        owner = self.owner
        if url.path == "/.well-known/openid-configuration":
            self._json(200, owner.discovery())
        elif url.path == "/jwks":
            self._json(200, {"keys": [owner.key.jwk()]})
        elif url.path == "/authorize":
            self._send(*owner.authorize(query))
        elif url.path == "/userinfo":
            self._json(*owner.userinfo(self.headers.get("Authorization", "")))
        elif url.path == "/end-session":
            self._send(*owner.end_session(query))
        else:
            self._send(404, {}, b"not found")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        form = {k: v[0] for k, v in parse_qs(body).items()}
        if url.path == "/token":
            self._json(*self.owner.token(form, self.headers.get("Authorization", "")))
        else:
            self._send(404, {}, b"not found")
