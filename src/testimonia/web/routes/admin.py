"""Administration: users and their roles, which roles must give a second factor; each user's API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from ...domain.vocab import UserRole
from ...services import signin, users
from ...services.access import Actor
from ...store.schema import api_tokens, projects, role_policies
from ..app import render
from ..security import allowed, signed_in

router = APIRouter()
ADMIN = allowed(UserRole.ADMIN)


@router.get("/admin/users")
def user_list(request: Request, actor: Actor = Depends(ADMIN)) -> Response:
    registry = request.app.state.registry
    with registry.db.reading() as conn:
        policies = dict(conn.execute(select(role_policies.c.role, role_policies.c.require_totp)).all())
        project_names = [row.name for row in conn.execute(select(projects.c.name).order_by(projects.c.name))]
    return render(request, "admin_users.html", {"users": users.list_users(registry, actor), "roles": list(UserRole),
                                                "policies": policies, "projects": project_names})


@router.post("/admin/users")
def add_user(request: Request, username: str = Form(""), password: str = Form(""), role: str = Form(""),
             project: str = Form(""), actor: Actor = Depends(ADMIN)) -> Response:
    registry = request.app.state.registry
    project_ids = [users.project_id_by_name(registry, project)] if project else []
    users.create_user(registry, actor, username.strip(), password, role, project_ids)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/role")
def change_role(request: Request, username: str, role: str = Form(""), actor: Actor = Depends(ADMIN)) -> Response:
    users.set_role(request.app.state.registry, actor, username, role)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/active")
def change_active(request: Request, username: str, active: str = Form(""), actor: Actor = Depends(ADMIN)) -> Response:
    users.set_active(request.app.state.registry, actor, username, active == "yes")
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/projects")
def add_to_project(request: Request, username: str, project: str = Form(""), actor: Actor = Depends(ADMIN)) -> Response:
    registry = request.app.state.registry
    users.add_member(registry, actor, users.user_id_by_name(registry, username),
                     users.project_id_by_name(registry, project))
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/roles")
def role_policy(request: Request, role: str = Form(""), require_totp: str = Form(""),
                actor: Actor = Depends(ADMIN)) -> Response:
    signin.set_role_policy(request.app.state.registry, actor, role, require_totp == "on")
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/reset-second-factor")
def reset_second_factor(request: Request, username: str, actor: Actor = Depends(ADMIN)) -> Response:
    signin.reset_second_factor(request.app.state.registry, actor, username)
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/account/tokens")
def token_list(request: Request, actor: Actor = Depends(signed_in)) -> Response:
    return render(request, "tokens.html", {"tokens": _tokens(request, actor)})


@router.post("/account/tokens")
def new_token(request: Request, label: str = Form(""), actor: Actor = Depends(signed_in)) -> Response:
    token = signin.create_token(request.app.state.registry, actor, label)
    return render(request, "tokens.html", {"tokens": _tokens(request, actor), "new_token": token})


@router.post("/account/tokens/{token_id}/revoke")
def revoke(request: Request, token_id: str, actor: Actor = Depends(signed_in)) -> Response:
    signin.revoke_token(request.app.state.registry, actor, token_id)
    return RedirectResponse("/account/tokens", status_code=303)


def _tokens(request: Request, actor: Actor) -> list[dict]:
    with request.app.state.registry.db.reading() as conn:
        return [dict(r) for r in conn.execute(
            select(api_tokens.c.id, api_tokens.c.label, api_tokens.c.created_at, api_tokens.c.last_used,
                   api_tokens.c.revoked_at).where(api_tokens.c.user_id == actor.user_id)
            .order_by(api_tokens.c.created_at)).mappings()]
