"""The built-in accounts' HTTP routes, served beside Streamlit by the `st.App` (dashboard.py).

A Streamlit script can read cookies (`st.context.cookies`) but cannot set them, so signing in
and out happens here, in plain server-rendered forms:

    GET/POST /auth/sign-in          e-mail and password → session cookie, redirect to "/"
    GET/POST /auth/sign-out         clears the cookie and ends the session server-side
    GET/POST /auth/invite/<token>   an invitation or reset link: set a password, signed in

Every form carries a signed form token matched against a cookie (double submit), so
another site cannot post them. The session cookie is HttpOnly, SameSite=Lax, and Secure when
the request came over https (directly or through a proxy's X-Forwarded-Proto). Redirects are
relative ("../"), so the routes work under a proxy's path prefix too. Every page's text comes
from the locales, and every value written into the HTML is escaped.
"""

from __future__ import annotations

import secrets
from html import escape
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from impact.access import accounts, audit, passwords
from impact.access.policy import AccessError
from impact.presentation.i18n import t

MAX_FORM = 16 * 1024  # an e-mail and two passwords; anything longer is refused unread
LANGS = ("zh", "en")

_PAGE = """<!doctype html>
<html lang="{html_lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · {app}</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; max-width: 26rem;
       margin: 4rem auto; padding: 0 1rem; color: #1f2933; }}
label {{ display: block; margin: 1rem 0 .25rem; }}
input {{ width: 100%; padding: .5rem; font-size: 1rem; box-sizing: border-box; }}
button {{ margin-top: 1.25rem; padding: .6rem 1.2rem; font-size: 1rem; }}
.error {{ color: #b42318; background: #fef3f2; padding: .6rem; border-radius: 4px; }}
.note {{ color: #52606d; }}
</style></head>
<body><main><h1>{title}</h1>{body}</main></body></html>"""


def _lang(request: Request, form: dict | None = None) -> str:
    lang = (form or {}).get("lang") or request.query_params.get("lang") or "zh"
    return lang if lang in LANGS else "zh"


def _page(lang: str, title_key: str, body: str, status: int = 200,
          form_value: str | None = None, secure: bool = False) -> HTMLResponse:
    html = _PAGE.format(html_lang="zh-CN" if lang == "zh" else "en",
                        title=escape(t(title_key, lang)), app=escape(t("app.title", lang)),
                        body=body)
    response = HTMLResponse(html, status_code=status,
                            headers={"Cache-Control": "no-store",
                                     "Content-Security-Policy": "default-src 'none'; "
                                     "style-src 'unsafe-inline'; form-action 'self'; "
                                     "frame-ancestors 'none'"})
    if form_value is not None:
        response.set_cookie(accounts.FORM_COOKIE, form_value, max_age=accounts.FORM_S,
                            path="/", httponly=True, samesite="lax", secure=secure)
    return response


def _secure(request: Request) -> bool:
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or proto == "https"


def _client(request: Request) -> str:
    """The visitor's address for the rate limit: the proxy's X-Real-IP / X-Forwarded-For
    when a loopback proxy forwarded the request, else the peer."""
    peer = request.client.host if request.client else "unknown"
    if peer in ("127.0.0.1", "::1"):
        real = request.headers.get("x-real-ip") or \
            request.headers.get("x-forwarded-for", "").split(",")[-1].strip()
        return real or peer
    return peer


class AccountRoutes:
    """The routes, bound to how the server finds its settings and its data directory."""

    def __init__(self, secret_of, data_dir_of):
        self._secret_of, self._data_dir_of = secret_of, data_dir_of

    def routes(self) -> list[Route]:
        return [Route("/auth/sign-in", self.sign_in, methods=["GET", "POST"]),
                Route("/auth/sign-out", self.sign_out, methods=["GET", "POST"]),
                Route("/auth/invite/{token}", self.invite, methods=["GET", "POST"])]

    # -- shared -------------------------------------------------------------------------
    def _setup(self, request: Request):
        """(tokens, store, data_dir), or a response saying why accounts are off."""
        lang = _lang(request)
        try:
            secret = self._secret_of()
        except AccessError as exc:
            return _page(lang, "account.off.title",
                         f'<p class="error">{escape(str(exc))}</p>', 500)
        if not secret:
            return _page(lang, "account.off.title",
                         f'<p>{escape(t("account.off", lang))}</p>', 404)
        data_dir = self._data_dir_of()
        try:
            store = accounts.Store(data_dir)
        except accounts.AccountError as exc:
            return _page(lang, "account.off.title",
                         f'<p class="error">{escape(str(exc))}</p>', 500)
        return accounts.Tokens(secret), store, data_dir

    @staticmethod
    async def _form(request: Request) -> dict | None:
        """The posted form (urlencoded, one value per field), or None when too big."""
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM:
                return None
        try:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            return None
        return {k: v[-1] for k, v in fields.items()}

    @staticmethod
    def _form_token(request: Request, tokens: accounts.Tokens) -> tuple[str, str | None]:
        """The hidden field's value, and a new form cookie value when the visitor has none."""
        value = request.cookies.get(accounts.FORM_COOKIE)
        fresh = None
        if not value or len(value) > 200:
            value = fresh = secrets.token_urlsafe(24)
        return tokens.form(value), fresh

    def _render(self, request: Request, tokens, lang: str, title: str, fields: str,
                submit: str, error: str | None = None, status: int = 200,
                note: str = "") -> HTMLResponse:
        token, fresh = self._form_token(request, tokens)
        body = (f'<p class="error" role="alert">{escape(error)}</p>' if error else "") + \
            (f'<p class="note">{escape(note)}</p>' if note else "") + \
            f'<form method="post"><input type="hidden" name="form" value="{escape(token)}">' \
            f'<input type="hidden" name="lang" value="{escape(lang)}">{fields}' \
            f'<button type="submit">{escape(t(submit, lang))}</button></form>'
        other = "en" if lang == "zh" else "zh"
        body += f'<p class="note"><a href="?lang={other}">{escape(t("account.other_lang", lang))}' \
            '</a></p>'
        return _page(lang, title, body, status, fresh, _secure(request))

    @staticmethod
    def _input(name: str, label: str, kind: str, lang: str, value: str = "",
               autocomplete: str = "") -> str:
        return (f'<label for="{name}">{escape(t(label, lang))}</label>'
                f'<input id="{name}" name="{name}" type="{kind}" value="{escape(value)}" '
                f'autocomplete="{autocomplete}" required>')

    def _checked(self, request: Request, tokens, form: dict | None) -> bool:
        return form is not None and tokens.form_ok(form.get("form", ""),
                                                   request.cookies.get(accounts.FORM_COOKIE))

    def _signed_in_response(self, request, tokens, account, lang: str, to: str) -> Response:
        response = RedirectResponse(f"{to}?lang={lang}", status_code=303)
        response.set_cookie(accounts.COOKIE, tokens.session(account),
                            max_age=accounts.SESSION_S, path="/", httponly=True,
                            samesite="lax", secure=_secure(request))
        return response

    # -- sign in ------------------------------------------------------------------------
    async def sign_in(self, request: Request) -> Response:
        setup = self._setup(request)
        if isinstance(setup, Response):
            return setup
        tokens, store, data_dir = setup
        if request.method == "GET":
            return self._sign_in_form(request, tokens, _lang(request))
        form = await self._form(request)
        lang = _lang(request, form)
        if not self._checked(request, tokens, form):
            return self._sign_in_form(request, tokens, lang, t("account.form_expired", lang),
                                      400)
        email = form.get("email", "").strip().lower()[:accounts.MAX_EMAIL]
        keys = (f"account:{email}", f"addr:{_client(request)}")
        wait = passwords.LIMITER.wait_s(*keys)
        if wait:
            audit.record("sign_in_failed", email or "?", data_dir, reason="locked",
                         address=keys[1][5:], method="account")
            return self._sign_in_form(request, tokens, lang,
                                      t("access.password.wait", lang, seconds=wait), 429, email)
        account = await run_in_threadpool(store.authenticate, email,
                                          form.get("password", ""))
        if account is None:
            passwords.LIMITER.failure(*keys)
            audit.record("sign_in_failed", email or "?", data_dir,
                         reason="wrong password or no active account",
                         address=keys[1][5:], method="account")
            wait = passwords.LIMITER.wait_s(*keys)
            error = t("access.password.wait", lang, seconds=wait) if wait \
                else t("account.sign_in.wrong", lang)
            return self._sign_in_form(request, tokens, lang, error, 429 if wait else 401, email)
        passwords.LIMITER.success(keys[0])
        audit.record("sign_in", account.email, data_dir, role=account.role,
                     address=keys[1][5:], method="account")
        return self._signed_in_response(request, tokens, account, lang, "../")

    def _sign_in_form(self, request, tokens, lang, error=None, status=200, email=""):
        fields = self._input("email", "account.email", "email", lang, email, "username") + \
            self._input("password", "account.password", "password", lang, "",
                        "current-password")
        return self._render(request, tokens, lang, "account.sign_in.title", fields,
                            "account.sign_in.button", error, status)

    # -- sign out -----------------------------------------------------------------------
    async def sign_out(self, request: Request) -> Response:
        setup = self._setup(request)
        if isinstance(setup, Response):
            return setup
        tokens, store, data_dir = setup
        if request.method == "GET":
            return self._render(request, tokens, _lang(request), "account.sign_out.title", "",
                                "access.sign_out")
        form = await self._form(request)
        lang = _lang(request, form)
        if not self._checked(request, tokens, form):
            return self._render(request, tokens, lang, "account.sign_out.title", "",
                                "access.sign_out", t("account.form_expired", lang), 400)
        session = tokens.read_session(request.cookies.get(accounts.COOKIE, ""))
        if session is not None:
            email, generation = session
            try:
                await run_in_threadpool(store.sign_out, email, generation)
                audit.record("sign_out", email, data_dir, method="account")
            except accounts.AccountError:
                pass  # the account is gone: there is no session left to end
        response = RedirectResponse(f"../?lang={lang}", status_code=303)
        response.delete_cookie(accounts.COOKIE, path="/", httponly=True, samesite="lax",
                               secure=_secure(request))
        return response

    # -- invitation ---------------------------------------------------------------------
    async def invite(self, request: Request) -> Response:
        setup = self._setup(request)
        if isinstance(setup, Response):
            return setup
        tokens, store, data_dir = setup
        lang = _lang(request)
        invitation = tokens.read_invitation(request.path_params.get("token", ""))
        account = None
        if invitation is not None:
            account = await run_in_threadpool(store.get, invitation[0])
        if account is None or account.status == accounts.DISABLED or not account.invite \
                or not secrets.compare_digest(account.invite, invitation[1]):
            return _page(lang, "account.invite.title",
                         f'<p class="error">{escape(t("account.invite.invalid", lang))}</p>',
                         404)
        if request.method == "GET":
            return self._invite_form(request, tokens, lang, account)
        form = await self._form(request)
        lang = _lang(request, form)
        if not self._checked(request, tokens, form):
            return self._invite_form(request, tokens, lang, account,
                                     t("account.form_expired", lang), 400)
        try:
            account = await run_in_threadpool(
                store.set_password, account.email, invitation[1], form.get("password", ""),
                form.get("confirm", ""))
        except accounts.AccountError as exc:
            key = getattr(exc, "key", None)
            return self._invite_form(request, tokens, lang, account,
                                     t(key, lang, min=accounts.MIN_PASSWORD) if key
                                     else str(exc), 400)
        audit.record("password_set", account.email, data_dir, role=account.role,
                     address=_client(request), method="account")
        audit.record("sign_in", account.email, data_dir, role=account.role,
                     address=_client(request), method="invitation")
        return self._signed_in_response(request, tokens, account, lang, "../../")

    def _invite_form(self, request, tokens, lang, account, error=None, status=200):
        fields = self._input("password", "account.new_password", "password", lang, "",
                             "new-password") + \
            self._input("confirm", "account.confirm_password", "password", lang, "",
                        "new-password")
        note = t("account.invite.note", lang, email=account.email,
                 min=accounts.MIN_PASSWORD)
        return self._render(request, tokens, lang, "account.invite.title", fields,
                            "account.invite.button", error, status, note)
