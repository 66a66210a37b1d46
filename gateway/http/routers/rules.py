"""``GET /v1/rules``: the conformance rule catalogue (packs and the rules each defines)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel

from gateway.http.dependencies import authenticated_principal, service
from gateway.http.openapi import errors
from gateway.plugins import Registry
from gateway.rules.rule import Strength

__all__ = ["PackModel", "RuleCatalogue", "RuleModel", "router"]

router = APIRouter(prefix="/v1", tags=["rules"])


class RuleModel(BaseModel):
    id: str
    strength: Strength
    severity: str
    message: str
    fields: list[str]
    checks: str


class PackModel(BaseModel):
    id: str
    title: str
    base: str | None
    deleted: list[str]
    rules: list[RuleModel]
    """The rules this pack defines itself (added or changed over its base)."""


class RuleCatalogue(BaseModel):
    profile: str
    """The profile every submission is checked against."""
    packs: list[PackModel]


@router.get(
    "/rules",
    response_model=RuleCatalogue,
    responses=errors(401, 403, 404, 422, 429, 503),
    dependencies=[Depends(authenticated_principal)],
)
def rules(
    request: Request, pack: Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[a-z0-9.-]+$")] = None
) -> RuleCatalogue:
    """Every rule pack the gateway has loaded and its rules, or one ``pack``."""
    registry: Registry = service(request, "registry")
    packs = [registry.rule_packs[key] for key in sorted(registry.rule_packs) if pack is None or key == pack]
    if pack is not None and not packs:
        raise HTTPException(status_code=404, detail="no such rule pack")
    return RuleCatalogue(
        profile=service(request, "settings").profile,
        packs=[
            PackModel(
                id=item.id,
                title=item.title,
                base=item.base,
                deleted=list(item.deleted),
                rules=[
                    RuleModel(
                        id=rule.id,
                        strength=rule.strength,
                        severity=rule.severity,
                        message=rule.message,
                        fields=list(rule.fields),
                        checks=rule.doc.checks,
                    )
                    for rule in item.own_rules()
                ],
            )
            for item in packs
        ],
    )
