"""Fake push services: FCM HTTP v1 with its OAuth2 token endpoint, and a Web Push endpoint.

``FakeFCM`` makes throwaway service accounts whose ``token_uri`` points at it,
verifies the RS256 JWT-bearer grant that google-auth sends, issues access
tokens, and checks them on every send. ``FakeWebPush`` makes subscriptions
(it keeps their private keys), verifies the VAPID header, and decrypts every
aes128gcm payload so tests can assert the exact text a browser would get.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from secrets import token_bytes, token_hex, token_urlsafe
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.fakes.http import FakeHTTPServer, Reply, Request, json_reply
from tests.fakes.ledger import Ledger

FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
# google-auth addresses its grant to Google's token endpoint whatever token_uri says.
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
_SEND_PATH = re.compile(r"^/v1/projects/(?P<project>[^/]+)/messages:send$")
_WEBPUSH_PATH = re.compile(r"^/wp/(?P<id>[\w-]+)$")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _jwt_parts(token: str) -> tuple[dict, dict, bytes, bytes]:
    """(header, claims, signing input, signature) of a compact JWT; ValueError when malformed."""
    header, claims, signature = token.split(".")
    return (
        json.loads(b64url_decode(header)),
        json.loads(b64url_decode(claims)),
        f"{header}.{claims}".encode(),
        b64url_decode(signature),
    )


class _Failures:
    """The next-N-calls failures shared by both fakes."""

    def __init__(self) -> None:
        self._queue: deque[tuple[int, int]] = deque()
        self._lock = threading.Lock()

    def add(self, count: int, status: int, retry_after: int) -> None:
        with self._lock:
            self._queue.extend([(status, retry_after)] * count)

    def pop(self) -> tuple[int, int] | None:
        with self._lock:
            return self._queue.popleft() if self._queue else None


# FCM.


@dataclass(frozen=True)
class FcmMessage:
    name: str
    project: str
    token: str
    message: dict[str, Any]  # the "message" object as received


_FCM_ERRORS = {
    "UNREGISTERED": (404, "NOT_FOUND", "Requested entity was not found."),
    "INVALID_ARGUMENT": (
        400,
        "INVALID_ARGUMENT",
        "The registration token is not a valid FCM registration token",
    ),
    "SENDER_ID_MISMATCH": (403, "PERMISSION_DENIED", "SenderId mismatch"),
    "QUOTA_EXCEEDED": (429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Message send requests'."),
    "UNAVAILABLE": (503, "UNAVAILABLE", "The service is currently unavailable."),
    "INTERNAL": (500, "INTERNAL", "Internal error encountered."),
}
_STATUS_FCM_ERROR = {429: "QUOTA_EXCEEDED", 500: "INTERNAL", 503: "UNAVAILABLE"}


def _fcm_error(error_code: str, *, status: int | None = None, retry_after: int | None = None) -> Reply:
    default_status, rpc_status, text = _FCM_ERRORS[error_code]
    status = status or default_status
    body = {
        "error": {
            "code": status,
            "message": text,
            "status": rpc_status,
            "details": [
                {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": error_code}
            ],
        }
    }
    return json_reply(status, body, {"Retry-After": str(retry_after)} if retry_after is not None else None)


def _rpc_error(status: int, rpc_status: str, text: str) -> Reply:
    return json_reply(status, {"error": {"code": status, "message": text, "status": rpc_status}})


class FakeFCM(FakeHTTPServer):
    """FCM HTTP v1 ``messages:send`` and the OAuth2 ``/token`` endpoint on one server."""

    def __init__(self, *, project_id: str = "breachline-test", keep_messages: bool = True) -> None:
        super().__init__()
        self.project_id = project_id
        self.received: Ledger[FcmMessage] = Ledger("FCM messages", keep=keep_messages)
        self._accounts: dict[str, rsa.RSAPublicKey] = {}
        self._access_tokens: set[str] = set()
        self._token_grants = 0
        self._token_errors: dict[str, str] = {}
        self._failures = _Failures()

    @property
    def token_uri(self) -> str:
        return f"{self.base_url}/token"

    def service_account_info(self) -> dict[str, str]:
        """A new service account's JSON whose token_uri is this fake (which knows its public key)."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        email = f"firebase-adminsdk-{token_hex(3)}@{self.project_id}.iam.gserviceaccount.com"
        with self.lock:
            self._accounts[email] = key.public_key()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        return {
            "type": "service_account",
            "project_id": self.project_id,
            "private_key_id": token_hex(20),
            "private_key": pem,
            "client_email": email,
            "client_id": str(int(token_hex(8), 16)),
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": f"https://www.googleapis.com/robot/v1/metadata/x509/{email}",
            "universe_domain": "googleapis.com",
        }

    def write_service_account(self, path: Path) -> Path:
        path.write_text(json.dumps(self.service_account_info()), encoding="utf-8")
        return path

    # Configuration.

    def fail_token(self, token: str, error_code: str = "UNREGISTERED") -> None:
        """Answer every later send to ``token`` with the FcmError ``error_code``."""
        with self.lock:
            self._token_errors[token] = error_code

    def fail_next(self, count: int = 1, *, status: int = 429, retry_after: int = 1) -> None:
        """Answer the next ``count`` sends with HTTP ``status`` (429, 500 or 503)."""
        self._failures.add(count, status, retry_after)

    def revoke_access_tokens(self) -> None:
        """Forget every issued access token, as if they expired."""
        with self.lock:
            self._access_tokens.clear()

    # Records.

    @property
    def messages(self) -> list[FcmMessage]:
        return self.received.items

    @property
    def token_grants(self) -> int:
        """How many access tokens the token endpoint issued."""
        with self.lock:
            return self._token_grants

    def wait_for(self, count: int, timeout: float = 10.0) -> list[FcmMessage]:
        return self.received.wait_for(count, timeout)

    # Server.

    def handle(self, request: Request) -> Reply:
        if request.method == "POST" and request.path == "/token":
            return self._grant(request)
        match = _SEND_PATH.match(request.path)
        if request.method != "POST" or match is None:
            return _rpc_error(404, "NOT_FOUND", "Not found")
        return self._send(request, match["project"])

    def _grant(self, request: Request) -> Reply:
        form = request.form()
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return json_reply(
                400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type."}
            )
        problem = self._assertion_problem(form.get("assertion", ""))
        if problem:
            return json_reply(400, {"error": "invalid_grant", "error_description": problem})
        access_token = "ya29.fake-" + token_urlsafe(32)
        with self.lock:
            self._access_tokens.add(access_token)
            self._token_grants += 1
        return json_reply(200, {"access_token": access_token, "expires_in": 3599, "token_type": "Bearer"})

    def _assertion_problem(self, assertion: str) -> str:
        """Why the JWT-bearer assertion is unacceptable, or "" when it is good."""
        try:
            header, claims, signing_input, signature = _jwt_parts(assertion)
        except ValueError:
            return "Invalid JWT."
        with self.lock:
            public_key = self._accounts.get(claims.get("iss", ""))
        if header.get("alg") != "RS256" or public_key is None:
            return "Invalid JWT Signature."
        try:
            public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return "Invalid JWT Signature."
        if claims.get("aud") not in (GOOGLE_TOKEN_AUDIENCE, self.token_uri):
            return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe."
        if not claims.get("exp", 0) > time.time():
            return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe."
        if FCM_SCOPE not in str(claims.get("scope", "")).split():
            return "Invalid OAuth scope or ID token audience provided."
        return ""

    def _send(self, request: Request, project: str) -> Reply:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        with self.lock:
            authorised = scheme == "Bearer" and token in self._access_tokens
        if not authorised:
            return _rpc_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        if project != self.project_id:
            return _rpc_error(403, "PERMISSION_DENIED", f"Permission denied on project {project}.")
        failure = self._failures.pop()
        if failure is not None:
            status, retry_after = failure
            return _fcm_error(
                _STATUS_FCM_ERROR.get(status, "INTERNAL"), status=status, retry_after=retry_after
            )
        try:
            message = request.json()["message"]
            registration_token = message["token"]
        except (ValueError, KeyError, TypeError):
            return _rpc_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        with self.lock:
            error_code = self._token_errors.get(registration_token)
        if error_code or not registration_token:
            return _fcm_error(error_code or "INVALID_ARGUMENT")
        name = f"projects/{project}/messages/0:{time.time_ns()}%{token_hex(8)}"
        self.received.add(FcmMessage(name, project, registration_token, message), registration_token)
        return json_reply(200, {"name": name})


# Web Push.


@dataclass(frozen=True)
class WebPushSubscription:
    """A browser's push subscription, with the private key the browser would keep."""

    endpoint: str
    p256dh: str
    auth: str
    private_key: ec.EllipticCurvePrivateKey

    @property
    def info(self) -> dict:
        """The subscription as the browser's ``PushSubscription.toJSON()`` gives it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}

    def as_json(self) -> str:
        return json.dumps(self.info)


@dataclass(frozen=True)
class WebPushMessage:
    endpoint: str
    headers: dict[str, str]
    body: bytes  # as received, encrypted
    plaintext: str  # decrypted with the subscription's private key
    vapid_claims: dict[str, Any]
    vapid_public_key: str


def decrypt_webpush(body: bytes, *, private_key: ec.EllipticCurvePrivateKey, auth: str) -> bytes:
    """Decrypt an aes128gcm Web Push body as the subscribed browser would."""
    return http_ece.decrypt(
        body, private_key=private_key, auth_secret=b64url_decode(auth), version="aes128gcm"
    )


def vapid_private_key() -> str:
    """A new VAPID key as base64url raw private bytes, the form WEBPUSH_VAPID_PRIVATE_KEY takes."""
    number = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
    return b64url(number.to_bytes(32, "big"))


class FakeWebPush(FakeHTTPServer):
    """A push service: POST /wp/<id> with an aes128gcm body and a VAPID Authorization header."""

    def __init__(self, *, keep_messages: bool = True) -> None:
        super().__init__()
        self.received: Ledger[WebPushMessage] = Ledger("Web Push messages", keep=keep_messages)
        self._subscriptions: dict[str, WebPushSubscription] = {}
        self._gone: set[str] = set()
        self._failures = _Failures()

    def new_subscription(self) -> WebPushSubscription:
        """A subscription at this push service, as a browser would create it."""
        private_key = ec.generate_private_key(ec.SECP256R1())
        public = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        subscription = WebPushSubscription(
            endpoint=f"{self.base_url}/wp/{token_urlsafe(16)}",
            p256dh=b64url(public),
            auth=b64url(token_bytes(16)),
            private_key=private_key,
        )
        with self.lock:
            self._subscriptions[subscription.endpoint.rsplit("/", 1)[1]] = subscription
        return subscription

    # Configuration.

    def unsubscribe(self, subscription: WebPushSubscription) -> None:
        """Answer 410 Gone for this subscription from now on, as after the user revoked it."""
        with self.lock:
            self._gone.add(subscription.endpoint.rsplit("/", 1)[1])

    def fail_next(self, count: int = 1, *, status: int = 429, retry_after: int = 1) -> None:
        self._failures.add(count, status, retry_after)

    # Records.

    @property
    def messages(self) -> list[WebPushMessage]:
        return self.received.items

    def wait_for(self, count: int, timeout: float = 10.0) -> list[WebPushMessage]:
        return self.received.wait_for(count, timeout)

    # Server.

    def handle(self, request: Request) -> Reply:
        match = _WEBPUSH_PATH.match(request.path)
        if request.method != "POST" or match is None:
            return Reply(404)
        with self.lock:
            subscription = self._subscriptions.get(match["id"])
            gone = match["id"] in self._gone
        if subscription is None:
            return Reply(404, b"No such subscription")
        if gone:
            return Reply(410, b"push subscription has unsubscribed or expired.")
        vapid = self._vapid(request)
        if vapid is None:
            return Reply(401, b"Invalid VAPID credentials")
        if request.headers.get("content-encoding") != "aes128gcm" or "ttl" not in request.headers:
            return Reply(400, b"Content-Encoding aes128gcm and TTL are required")
        failure = self._failures.pop()
        if failure is not None:
            status, retry_after = failure
            return Reply(status, b"try again later", {"Retry-After": str(retry_after)})
        try:
            plaintext = decrypt_webpush(
                request.body, private_key=subscription.private_key, auth=subscription.auth
            )
        except (http_ece.ECEException, InvalidTag, ValueError):
            return Reply(400, b"Payload could not be decrypted")
        claims, public_key = vapid
        message = WebPushMessage(
            subscription.endpoint, request.headers, request.body, plaintext.decode(), claims, public_key
        )
        self.received.add(message, subscription.endpoint)
        return Reply(201, b"", {"Location": f"{self.base_url}/m/{token_urlsafe(12)}"})

    def _vapid(self, request: Request) -> tuple[dict, str] | None:
        """The verified VAPID claims and public key (RFC 8292), or None when they do not verify."""
        scheme, _, params = request.headers.get("authorization", "").partition(" ")
        fields = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
        if scheme.lower() != "vapid" or not {"t", "k"} <= fields.keys():
            return None
        try:
            header, claims, signing_input, signature = _jwt_parts(fields["t"])
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), b64url_decode(fields["k"])
            )
            der = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
            public_key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
        except (ValueError, InvalidSignature):
            return None
        valid = (
            header.get("alg") == "ES256"
            and claims.get("aud") == self.base_url
            and claims.get("exp", 0) > time.time()
            and str(claims.get("sub", "")).startswith(("mailto:", "https://"))
        )
        return (claims, fields["k"]) if valid else None
