"""Signing in to the served app the way a person does: password, then the one-time code.

The bench talks plain HTTP to gunicorn on the loopback and says it came through the TLS proxy
(X-Forwarded-Proto, as production's load balancer does), so the production settings (secure
cookies, HTTPS redirect, strict CSRF origin checks) stay on.
"""

import http.client
import re
import urllib.parse
from dataclasses import dataclass, field

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


@dataclass
class Session:
    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    def headers(self) -> dict[str, str]:
        headers = {"X-Forwarded-Proto": "https", "Host": f"{self.host}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return headers

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = self.headers()
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": f"{self.origin}{path}",
            }
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie_name, cookie_value = value.split(";", 1)[0].split("=", 1)
                self.cookies[cookie_name] = cookie_value
        connection.close()
        return response.status, dict(response.getheaders()), content

    def get(self, path: str) -> tuple[int, dict, bytes]:
        return self.request("GET", path)

    def post_form(self, path: str, form: dict) -> tuple[int, dict, bytes]:
        _status, _headers, page = self.get(path)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        token = match.group(1).decode() if match else ""
        return self.request("POST", path, {"csrfmiddlewaretoken": token, **form})


def totp_token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(*, host: str, port: int, username: str, password: str) -> Session:
    """A session past the password and the second factor, or an error saying which step failed."""
    session = Session(host, port)
    status, _headers, _ = session.post_form("/konto/logga-in/", {"username": username, "password": password})
    if status != 302:
        raise RuntimeError(f"Inloggningen för {username} misslyckades (HTTP {status}).")
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    status, _headers, _ = session.post_form("/konto/tvafaktor/", {"token": totp_token(device)})
    if status != 302:
        raise RuntimeError(f"Tvåfaktorsteget för {username} misslyckades (HTTP {status}).")
    status, _headers, _ = session.get("/")
    if status != 200:
        raise RuntimeError(f"Startsidan för {username} svarade HTTP {status} efter inloggningen.")
    return session
