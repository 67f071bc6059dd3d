from __future__ import annotations

from fastapi import APIRouter, Depends

from domain.contracts import ServiceContract
from infra.auth import Principal
from services.api import schemas as s
from services.api.deps import ledger, principal

router = APIRouter(tags=["contracts"])


@router.post("/agreements", status_code=201, summary="签订政府购买服务协议", name="agreement.sign")
def sign_agreement(body: s.NewAgreement, who: Principal = Depends(principal),
                   app=Depends(ledger)) -> s.Written:
    app.authorize(who, "agreement.sign")
    data = body.model_dump()
    data["prices"] = {k: v for k, v in data["prices"].items() if v is not None}
    return app.sign_agreement(who.actor, **data)


@router.post("/contracts", status_code=201, summary="签订企业委托服务合同", name="contract.sign")
def sign_contract(body: s.NewContract, who: Principal = Depends(principal),
                  app=Depends(ledger)) -> s.Written:
    app.authorize(who, "contract.sign", app.subject_of_party(body.enterprise_id, body.agency_id))
    return app.sign_contract(who.actor, **body.model_dump())


@router.post("/contracts/{contract_id}/renew", summary="续签", name="contract.renew")
def renew_contract(contract_id: str, body: s.ContractRenewal, who: Principal = Depends(principal),
                   app=Depends(ledger)) -> s.Written:
    app.authorize(who, "contract.renew", app.subject_of(ServiceContract, contract_id))
    return app.renew_contract(who.actor, contract_id, **body.model_dump())


@router.post("/contracts/{contract_id}/terminate", summary="终止合同", name="contract.terminate")
def terminate_contract(contract_id: str, body: s.ContractTermination,
                       who: Principal = Depends(principal), app=Depends(ledger)) -> s.Written:
    app.authorize(who, "contract.terminate", app.subject_of(ServiceContract, contract_id))
    return app.terminate_contract(who.actor, contract_id, **body.model_dump())
