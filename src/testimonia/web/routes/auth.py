"""Signing in and out, the second factor, the language picker."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ...services import signin
from .. import i18n
from ..app import render
from ..security import FORM_COOKIE, SESSION_COOKIE, Visitor, cookie_options, public

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never //elsewhere or https://elsewhere) after signing in."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/dashboard"
    return target


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "", seen: Visitor = Depends(public)) -> Response:
    if seen.actor is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    token = seen.csrf_token or secrets.token_urlsafe(32)
    response = render(request, "sign_in.html", {"csrf_token": token, "next": _safe_next(next)})
    response.set_cookie(FORM_COOKIE, token, **cookie_options())
    return response


@router.post("/sign-in")
def sign_in(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form(""),
            seen: Visitor = Depends(public)) -> Response:
    registry = request.app.state.registry
    address = request.client.host if request.client else "unknown"
    if not request.app.state.sign_in_rate.allow(address):
        return render(request, "sign_in.html", {"error": i18n.gettext("Too many attempts. Wait a minute and try again."),
                                                "next": _safe_next(next)}, status=429)
    try:
        result = signin.check_password(registry, username.strip(), password)
    except signin.SignInRefused:
        return render(request, "sign_in.html", {"error": i18n.gettext("Wrong user name or password, or the account "
                                                                      "is locked for a while."),
                                                "next": _safe_next(next), "username": username}, status=401)
    token = signin.open_session(registry, result.actor, second_factor=not result.needs_code)
    target = "/account/second-factor" if result.needs_enrolment else ("/sign-in/code" if result.needs_code
                                                                        else _safe_next(next))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, **cookie_options())
    response.delete_cookie(FORM_COOKIE, path="/")
    return response


@router.get("/sign-in/code")
def code_page(request: Request, seen: Visitor = Depends(public)) -> Response:
    if seen.pending is None:
        return RedirectResponse("/sign-in", status_code=303)
    return render(request, "sign_in_code.html")


@router.post("/sign-in/code")
def give_code(request: Request, code: str = Form(""), seen: Visitor = Depends(public)) -> Response:
    if seen.pending is None or seen.session_token is None:
        return RedirectResponse("/sign-in", status_code=303)
    registry = request.app.state.registry
    try:
        signin.check_code(registry, seen.pending, code)
    except signin.SignInRefused:
        return render(request, "sign_in_code.html", {"error": i18n.gettext("Wrong code.")}, status=401)
    signin.complete_second_factor(registry, seen.session_token)
    return RedirectResponse("/dashboard", status_code=303)


@router.get("/account/second-factor")
def enrol_page(request: Request, seen: Visitor = Depends(public)) -> Response:
    actor = seen.pending or seen.actor
    if actor is None:
        return RedirectResponse("/sign-in", status_code=303)
    if signin.has_second_factor(request.app.state.registry, actor):
        return render(request, "second_factor.html", {"enrolled": True})
    secret, uri = signin.start_enrolment(request.app.state.registry, actor)
    return render(request, "second_factor.html", {"secret": secret, "uri": uri})


@router.post("/account/second-factor")
def confirm_enrolment(request: Request, code: str = Form(""), seen: Visitor = Depends(public)) -> Response:
    actor = seen.pending or seen.actor
    if actor is None or seen.session_token is None:
        return RedirectResponse("/sign-in", status_code=303)
    registry = request.app.state.registry
    try:
        signin.check_code(registry, actor, code)
    except signin.SignInRefused:
        return render(request, "second_factor.html", {"error": i18n.gettext("Wrong code: scan the new secret and try "
                                                                            "again."),
                                                      "secret": None}, status=401)
    signin.complete_second_factor(registry, seen.session_token)
    return RedirectResponse("/dashboard", status_code=303)


@router.post("/sign-out")
def sign_out(request: Request, seen: Visitor = Depends(public)) -> Response:
    if seen.session_token:
        signin.close_session(request.app.state.registry, seen.session_token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/language/{code}")
def choose_language(code: str, back: str = "/", seen: Visitor = Depends(public)) -> Response:
    """The language picker: remembered in a cookie, then back to the page the reader was on."""
    response = RedirectResponse(_safe_next(back) if back != "/" else "/", status_code=303)
    if code in i18n.LANGUAGES:
        response.set_cookie(i18n.LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, httponly=True, secure=True,
                            samesite="lax", path="/")
    return response
