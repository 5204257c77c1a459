"""A real OpenID Provider for the single sign-on tests (issue 18): pyop (the OP library of the SATOSA proxy) behind a
small werkzeug app on a free port, signing with a fresh RSA key it publishes as its JWKS. It answers on https (pyop
refuses any other issuer), with a certificate made here for 127.0.0.1: `ca_file` is what a client trusts
(REQUESTS_CA_BUNDLE for requests, `ignore_https_errors` for a browser).

The protocol is pyop's: discovery, the authorization endpoint (PKCE S256 checked at the token endpoint), the token
endpoint with client_secret_basic, userinfo. The wrapper only plays the person at the provider (`signed_in`, the
provider's own login form is not what is tested) and, when a test asks, misbehaves the way a broken or hostile
provider would: refuse (`deny`), sign an ID token for another client (`audience`), or run its clock behind
(`clock_behind_s`, so the ID token it issues has expired by our clock).
"""

from __future__ import annotations

import ipaddress
import ssl
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import time_machine
from Cryptodome.PublicKey import RSA
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import Flask, Response, jsonify, redirect, request
from jwkest.jwk import RSAKey
from pyop.authz_state import AuthorizationState
from pyop.exceptions import BearerTokenError, InvalidAccessToken, InvalidAuthenticationRequest, OAuthError
from pyop.provider import Provider
from pyop.subject_identifier import HashBasedSubjectIdentifierFactory
from pyop.userinfo import Userinfo
from werkzeug.serving import make_server

CLIENT_ID = "fieldops"
CLIENT_SECRET = "fieldops-client-secret-for-tests"
OTHER_CLIENT_ID = "another-app"

# The people at the provider: standard claims (the userinfo endpoint gives them by scope) ...
PEOPLE = {
    "anna": {
        "sub": "0a1b2c3d-anna",
        "preferred_username": "anna.virtanen",
        "name": "Anna Virtanen",
        "email": "anna.virtanen@example.org",
        "email_verified": True,
    },
    "mikko": {
        "sub": "9f8e7d6c-mikko",
        "preferred_username": "mikko.ops",
        "name": "Mikko Ops",
        "email": "mikko@example.org",
        "email_verified": True,
    },
}
# ... and the organisation's claims the provider adds to their ID tokens, as Keycloak's or Entra's mappers do.
GROUPS = {"anna": {"groups": ["staff", "fieldops-supervisors"], "teams": ["East"]}, "mikko": {"groups": ["staff"]}}


def _tls_context(directory: Path, cert_file: Path) -> ssl.SSLContext:
    """A self-signed certificate for 127.0.0.1, valid from a year ago (a test may pin the clock back)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=365))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    key_file = directory / "op-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


class LocalProvider:
    """pyop on 127.0.0.1:<free port>, in a thread; `stop()` ends it."""

    def __init__(self, redirect_uri: str, directory: Path) -> None:
        self.ca_file = directory / "op-cert.pem"
        context = _tls_context(directory, self.ca_file)
        self.server = make_server("127.0.0.1", 0, Flask(__name__), threaded=True, ssl_context=context)
        self.issuer = f"https://127.0.0.1:{self.server.server_port}"
        self.signed_in = "anna"
        self.deny = False
        self.audience: str | None = None
        self.clock_behind_s = 0
        self.claims = {person: dict(claims) for person, claims in GROUPS.items()}
        self.token_requests: list[dict] = []
        key = RSAKey(key=RSA.generate(2048), alg="RS256", kid="fieldops-test-key-1")
        clients = {
            client_id: {
                "client_secret": secret,
                "redirect_uris": [redirect_uri],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
            }
            for client_id, secret in ((CLIENT_ID, CLIENT_SECRET), (OTHER_CLIENT_ID, "another-secret"))
        }
        self.provider = Provider(
            key,
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "scopes_supported": ["openid", "profile", "email"],
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "code_challenge_methods_supported": ["S256"],
            },
            AuthorizationState(HashBasedSubjectIdentifierFactory("fieldops-tests")),
            clients,
            Userinfo(PEOPLE),
        )
        self._route(self.server.app)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _route(self, app: Flask) -> None:
        app.get("/.well-known/openid-configuration")(self._discovery)
        app.get("/jwks")(self._jwks)
        app.get("/authorize")(self._authorize)
        app.post("/token")(self._token)
        app.get("/userinfo")(self._userinfo)

    def _discovery(self) -> Response:
        return jsonify(self.provider.provider_configuration.to_dict())

    def _jwks(self) -> Response:
        return jsonify(self.provider.jwks)

    def _authorize(self) -> Response:
        try:
            authn = self.provider.parse_authentication_request(urlencode(request.args), request.headers)
        except InvalidAuthenticationRequest as exc:
            error_url = exc.to_error_url()
            return redirect(error_url, 303) if error_url else Response(str(exc), 400)
        if self.deny:
            query = urlencode({"error": "access_denied", "error_description": "Not allowed", "state": authn["state"]})
            return redirect(f"{authn['redirect_uri']}?{query}", 303)
        answer = self.provider.authorize(authn, self.signed_in)
        return redirect(answer.request(authn["redirect_uri"], False), 303)

    def _token(self) -> Response:
        body = request.get_data(as_text=True)
        self.token_requests.append(dict(request.form))
        claims = lambda person, _client: dict(self.claims.get(person, {}))  # noqa: E731
        try:
            if self.clock_behind_s:
                behind = datetime.fromtimestamp(time.time() - self.clock_behind_s, UTC)
                with time_machine.travel(behind, tick=False):
                    answer = self.provider.handle_token_request(body, request.headers, claims)
            else:
                answer = self.provider.handle_token_request(body, request.headers, claims)
        except OAuthError as exc:
            return jsonify({"error": exc.oauth_error, "error_description": str(exc)}), 400
        if self.audience is not None:
            answer["id_token"] = self._id_token_for(self.audience, answer["id_token"])
        return Response(answer.to_json(), 200, mimetype="application/json", headers={"Cache-Control": "no-store"})

    def _id_token_for(self, audience: str, id_token: str) -> str:
        """The same person and nonce, signed by this provider for another of its clients."""
        from oic.oic.message import IdToken

        issued = IdToken().from_jwt(id_token, keyjar=None, verify=False)
        person = next(p for p, claims in PEOPLE.items() if claims["sub"] == issued["sub"])
        return self.provider._create_signed_id_token(
            audience, issued["sub"], dict(self.claims.get(person, {})), issued.get("nonce")
        )

    def _userinfo(self) -> Response:
        try:
            answer = self.provider.handle_userinfo_request(request.query_string.decode(), request.headers)
        except (BearerTokenError, InvalidAccessToken) as exc:
            return jsonify({"error": "invalid_token", "error_description": str(exc)}), 401
        return Response(answer.to_json(), 200, mimetype="application/json")

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
