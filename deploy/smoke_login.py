"""Sign in through the running web process as a browser behind the TLS proxy would.

    python deploy/smoke_login.py http://127.0.0.1:PORT HOST USERNAME PASSWORD

Each request carries what the proxy adds (Host, X-Forwarded-Proto: https, X-Forwarded-For), so
Django sees HTTPS: Secure cookies, the CSRF origin check and the redirects are the real ones.
Exits 1 with the reason when a step does not answer as production must.
"""

from __future__ import annotations

import http.client
import re
import sys
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


class Browser:
    def __init__(self, *, upstream: str, host: str) -> None:
        parts = urlsplit(upstream)
        self.address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.host = host
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, *, body: str | None = None, proto: str = "https"
    ) -> tuple[int, dict[str, str], str]:
        """(status, headers with lower-case names, body text) of one request through the 'proxy'."""
        headers = {"Host": self.host, "X-Forwarded-Proto": proto, "X-Forwarded-For": "198.51.100.20"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.host}"
            headers["Referer"] = f"https://{self.host}/login/"
        connection = http.client.HTTPConnection(*self.address, timeout=30)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                if "secure" not in value.lower():
                    fail(f"cookie {name} is not Secure: {value}")
                self.cookies[name] = morsel.value
        text = response.read().decode("utf-8", "replace")
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text


def fail(reason: str) -> None:
    print(f"smoke_login: {reason}", file=sys.stderr)
    sys.exit(1)


def expect(condition: bool, reason: str) -> None:
    if not condition:
        fail(reason)


def main(upstream: str, host: str, username: str, password: str) -> None:
    browser = Browser(upstream=upstream, host=host)
    status, headers, _ = browser.request("GET", "/login/", proto="http")
    expect(status == 301 and headers.get("location") == f"https://{host}/login/", f"plain HTTP: {status}")

    status, headers, page = browser.request("GET", "/login/")
    expect(status == 200, f"GET /login/ answered {status}")
    expect(headers.get("strict-transport-security", "").startswith("max-age=31536000"), "no HSTS header")
    expect("script-src 'self'" in headers.get("content-security-policy", ""), "no CSP header")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    expect(token is not None, "no CSRF token on the login page")
    css = re.search(r'href="(/static/[^"]+\.css)"', page)
    expect(css is not None and browser.request("GET", css.group(1))[0] == 200, "static files are not served")

    form = {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
    status, headers, page = browser.request("POST", "/login/", body=urlencode(form))
    expect(status == 302, f"sign-in answered {status}: {page[:300]}")
    # The landing page may redirect on by role ("/" -> the accounts list or "my work").
    location = headers["location"]
    for _ in range(3):
        status, headers, page = browser.request("GET", location)
        if status != 302:
            break
        location = headers["location"]
    expect(status == 200 and username in page, f"after sign-in {location} answered {status}")
    print(f"smoke_login: signed in as {username} at https://{host}/")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        fail("usage: smoke_login.py UPSTREAM HOST USERNAME PASSWORD")
    main(*sys.argv[1:])
