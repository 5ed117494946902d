"""Residents sign in through OpenID Connect: DigiD through a broker (Signicat and the like).

The authorization code flow of mozilla-django-oidc (with PKCE and a nonce), plus what that
library leaves out: the ID token is checked in full — RS256 only, its key from the provider's
JWKS, the signature, the nonce, ``iss`` is the configured issuer, ``aud`` holds our client id
(and ``azp`` is ours when there are several audiences), ``exp`` is not past and ``iat`` not in
the future (:data:`LEEWAY_SECONDS` either way). The BSN is taken from the ID token's claim
(``OIDC_BSN_CLAIM``, default ``bsn``), checked with the 11-proef and bound to the person's
resident account (:func:`meedoen.residents.services.resident_account_bind`): the account is
named by the BRP pseudonym, the BSN is stored nowhere. Nobody signs in any other way here: no
match by e-mail, no account of any other role.

Every sign-in and every refused sign-in is in the audit log (``resident.sign_in``,
``resident.sign_in_refused``), with the BRP pseudonym as data subject once the token was found
genuine; the BSN is never logged. Off unless configured (:func:`oidc_configured`).
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from josepy.errors import Error as JoseError
from josepy.jws import JWS, Header
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.audits.models import ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen.residents.models import ResidentIdentity
from meedoen.residents.services import (
    ResidentRefused,
    portal_log,
    resident_account_bind,
)
from meedoen_data.bsn import bsn_is_valid
from meedoen_data.casework.family import person_pseudonym

log = logging.getLogger("meedoen.residents")

#: The dotted path of the backend, as AUTHENTICATION_BACKENDS lists it when OIDC is configured.
BACKEND = "meedoen.residents.oidc.ResidentOIDCBackend"
#: The only signature algorithm accepted (whatever a token's header or the settings say).
ALGORITHM = "RS256"
#: Clock difference allowed between the provider and us, for ``exp``, ``iat`` and ``nbf``.
LEEWAY_SECONDS = 60
#: The session key of the ID token (sealed), kept for ``id_token_hint`` when signing out.
ID_TOKEN_SESSION_KEY = "residents_oidc_id_token"  # noqa: S105  (a key name, not a secret)
#: Who a refused sign-in was when no resident account is known.
UNKNOWN_ACCOUNT = "(unknown account)"
#: The settings a working configuration needs (the end-session endpoint is optional).
REQUIRED_SETTINGS = (
    "OIDC_OP_ISSUER",
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)


class SignInRefused(Exception):
    """A sign-in that is refused; ``reason`` says why (it goes to the audit log: never a BSN).
    ``person`` and ``user``: who it was, once the ID token was found genuine."""

    def __init__(self, reason: str, *, person: str = "", user: User | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.person = person
        self.user = user


def oidc_configured() -> bool:
    """Whether residents can sign in through OpenID Connect: the provider and the client are
    configured (MEEDOEN_OIDC_*) and the backend is listed. Otherwise the sign-in URLs are 404."""
    return BACKEND in settings.AUTHENTICATION_BACKENDS and all(
        getattr(settings, name, "") for name in REQUIRED_SETTINGS
    )


# --- The ID token's claims ----------------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def id_token_claims_check(
    *,
    claims: Mapping[str, Any],
    issuer: str,
    client_id: str,
    now: float,
    leeway: int = LEEWAY_SECONDS,
) -> None:
    """The checks of OpenID Connect Core §3.1.3.7 on a signed ID token's claims (the signature
    and nonce are checked before): SignInRefused on the first that fails."""
    if claims.get("iss") != issuer:
        raise SignInRefused("the ID token's issuer (iss) is not the configured issuer")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or client_id not in audiences:
        raise SignInRefused("the ID token is not meant for this client (aud)")
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise SignInRefused("the ID token's authorized party (azp) is not this client")
    expires, issued = claims.get("exp"), claims.get("iat")
    if not _is_number(expires) or not _is_number(issued):
        raise SignInRefused("the ID token has no valid exp or iat")
    if expires <= now - leeway:  # type: ignore[operator]
        raise SignInRefused("the ID token has expired (exp)")
    if issued > now + leeway:  # type: ignore[operator]
        raise SignInRefused("the ID token is issued in the future (iat)")
    not_before = claims.get("nbf")
    if not_before is not None and (not _is_number(not_before) or not_before > now + leeway):
        raise SignInRefused("the ID token is not valid yet (nbf)")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise SignInRefused("the ID token has no subject (sub)")


# --- The ID token kept for signing out -----------------------------------------------------


def _sealer() -> Fernet:
    key = salted_hmac("meedoen.residents.oidc.id_token", "session", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def id_token_seal(*, id_token: str) -> str:
    """The ID token encrypted for the session (it may hold the BSN: the web database never
    holds one readable). The key is derived from SECRET_KEY, which is not in the database."""
    return _sealer().encrypt(id_token.encode("ascii")).decode("ascii")


def id_token_unseal(*, sealed: str) -> str:
    """The ID token sealed by :func:`id_token_seal`, or "" (none, too old, or not ours)."""
    if not sealed:
        return ""
    try:
        return _sealer().decrypt(sealed.encode("ascii"), ttl=settings.SESSION_MAX_SECONDS).decode()
    except (InvalidToken, ValueError):
        return ""


# --- The audit log ------------------------------------------------------------------------


def _client(request: HttpRequest | None) -> str:
    return str(request.META.get("REMOTE_ADDR") or "") if request is not None else ""


def _trace(request: HttpRequest | None) -> TraceContext:
    return TraceContext.start(request.headers.get("traceparent") if request is not None else None)


def resident_sign_in_log(*, request: HttpRequest | None, user: User, person: str) -> None:
    """A resident signed in through OpenID Connect (``resident.sign_in``)."""
    portal_log(
        trace=_trace(request),
        user_name=user.username,
        user_role=Role.RESIDENT,
        channel="web",
        client=_client(request),
        operation="resident.sign_in",
        subjects=[person],
        started=timezone.now(),
        detail="OpenID Connect",
    )


def resident_sign_in_refused_log(
    *, request: HttpRequest | None, reason: str, person: str = "", user: User | None = None
) -> None:
    """A refused sign-in (``resident.sign_in_refused``): the reason, and the person once the
    ID token was found genuine (else no data subject)."""
    portal_log(
        trace=_trace(request),
        user_name=user.username if user is not None else UNKNOWN_ACCOUNT,
        user_role=Role.RESIDENT if user is not None or person else "",
        channel="web",
        client=_client(request),
        operation="resident.sign_in_refused",
        subjects=[person] if person else [],
        started=timezone.now(),
        status=ProcessingRecord.Status.ERROR,
        detail=reason[:200],
    )
    log.warning("resident sign-in refused (%s): %s", _client(request) or "-", reason)


def _reason(error: Exception) -> str:
    """A refusal reason for an error of the flow (never the provider's answer itself: it is
    not ours to log)."""
    if isinstance(error, requests.HTTPError):
        response = error.response
        if response is None:
            return "the provider answered with an HTTP error"
        where = urlsplit(response.url)._replace(query="", fragment="").geturl()
        return f"the provider answered HTTP {response.status_code} at {where}"
    if isinstance(error, requests.RequestException):
        return f"the provider could not be reached ({type(error).__name__})"
    if isinstance(error, SuspiciousOperation):
        return f"the ID token was refused: {error}"
    return f"the provider's answer could not be read ({type(error).__name__})"


# --- The backend ----------------------------------------------------------------------------


class ResidentOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """Signs a resident in from the callback of the code flow (``nonce`` and ``code_verifier``
    come from the session); answers None to every other sign-in (passwords, tokens), so
    django-axes and the other backends work as before. Listed only when OIDC is configured."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Fixed, whatever the settings say: RS256 with the key from the provider's JWKS.
        self.OIDC_RP_SIGN_ALGO = ALGORITHM
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.person = ""
        self.id_token = ""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if request is None or "nonce" not in kwargs or not oidc_configured():
            return None
        self.person = self.id_token = ""
        try:
            user = super().authenticate(request, **kwargs)
            if user is None:
                raise SignInRefused("the provider's answer was not accepted")
        except SignInRefused as refused:
            resident_sign_in_refused_log(
                request=request, reason=refused.reason, person=refused.person, user=refused.user
            )
            return None
        except (
            SuspiciousOperation,
            requests.RequestException,
            JoseError,
            ValueError,
            KeyError,  # josepy: an algorithm it does not know ("none")
            TypeError,
            AttributeError,  # a token answer that is not a JSON object
        ) as error:
            resident_sign_in_refused_log(request=request, reason=_reason(error))
            return None
        resident_sign_in_log(request=request, user=user, person=self.person)
        return user  # type: ignore[no-any-return]

    def get_payload_data(self, token: bytes, key: Any) -> bytes:
        # Never an unsigned token (OIDC_ALLOW_UNSECURED_JWT is not honoured).
        return self._verify_jws(token, key)  # type: ignore[no-any-return]

    def retrieve_matching_jwk(self, token: bytes) -> dict[str, Any]:
        """The provider's RSA signing key the token names (its ``kid``; without one, the only
        RSA signing key of the JWKS)."""
        response = requests.get(
            self.OIDC_OP_JWKS_ENDPOINT,
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", None),
            proxies=self.get_settings("OIDC_PROXY", None),
        )
        response.raise_for_status()
        document = response.json()
        published = document.get("keys") if isinstance(document, dict) else None
        keys = [
            key
            for key in (published if isinstance(published, list) else [])
            if isinstance(key, dict)
            and key.get("kty") == "RSA"
            and key.get("use", "sig") == "sig"
            and key.get("alg", ALGORITHM) == ALGORITHM
        ]
        header = Header.json_loads(JWS.from_compact(token).signature.protected)
        kid = header.kid
        matching = [key for key in keys if key.get("kid") == kid] if kid else keys
        if len(matching) != 1:
            raise SuspiciousOperation("no single RSA signing key of the provider matches it")
        return matching[0]

    def verify_token(self, token: Any, **kwargs: Any) -> dict[str, Any]:
        """Signature (RS256) and nonce by the library, then the claims."""
        if not isinstance(token, str) or not token:
            raise SignInRefused("the provider's token answer has no ID token")
        if not kwargs.get("nonce"):
            raise SignInRefused("the sign-in has no nonce")
        claims = super().verify_token(token, **kwargs)
        if not isinstance(claims, dict):
            raise SignInRefused("the ID token's claims are not an object")
        if claims.get("nonce") != kwargs["nonce"]:  # also when OIDC_USE_NONCE were off
            raise SignInRefused("the ID token's nonce is not the sign-in's")
        id_token_claims_check(
            claims=claims,
            issuer=settings.OIDC_OP_ISSUER,
            client_id=self.OIDC_RP_CLIENT_ID,
            now=time.time(),
        )
        return claims

    def store_tokens(self, access_token: str, id_token: str) -> None:
        # Nothing in the session yet: the view seals the ID token into it after signing in
        # (signing in may start a new session).
        self.id_token = id_token

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        """The resident account of the person whose BSN the ID token names (made at the first
        sign-in). The userinfo endpoint is not asked: the BSN comes from the signed ID token."""
        claim = getattr(settings, "OIDC_BSN_CLAIM", "") or "bsn"
        bsn = payload.get(claim)
        if bsn is None:
            raise SignInRefused(f"the ID token has no {claim} claim")
        if not isinstance(bsn, str) or not bsn_is_valid(bsn):
            raise SignInRefused(f"the ID token's {claim} claim is not a valid BSN (11-proef)")
        person = person_pseudonym(home=settings.MEEDOEN_HOME, bsn=bsn)
        try:
            user = resident_account_bind(bsn=bsn, via=ResidentIdentity.Via.OIDC)
        except (ResidentRefused, ValueError) as refused:
            raise SignInRefused(str(refused), person=person) from None
        if not user.is_active:
            raise SignInRefused("the resident account is deactivated", person=person, user=user)
        self.person = person
        return user

    def get_user(self, user_id: int) -> User | None:
        """The session's user: an active resident account only."""
        return User.objects.filter(pk=user_id, is_active=True, role=Role.RESIDENT).first()
