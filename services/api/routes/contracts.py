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


@router.post("/contracts", status_code=201, summary="提出企业委托服务合同（一方签署，另一方会签后生效）",
             name="contract.propose")
def propose_contract(body: s.NewContract, who: Principal = Depends(principal),
                     app=Depends(ledger)) -> s.Written:
    app.authorize(who, "contract.propose",
                  app.subject_of_party(body.enterprise_id, body.agency_id, party_record=True))
    return app.propose_contract(who.actor, **body.model_dump())


@router.post("/contracts/{contract_id}/countersign", summary="会签（另一方签署，合同或续签生效）",
             name="contract.countersign")
def countersign_contract(contract_id: str, who: Principal = Depends(principal),
                         app=Depends(ledger)) -> s.Written:
    app.authorize(who, "contract.countersign", app.subject_of(ServiceContract, contract_id))
    return app.countersign_contract(who.actor, contract_id)


@router.post("/contracts/{contract_id}/renew", summary="提出续签（另一方会签后生效）", name="contract.renew")
def renew_contract(contract_id: str, body: s.ContractRenewal, who: Principal = Depends(principal),
                   app=Depends(ledger)) -> s.Written:
    app.authorize(who, "contract.renew", app.subject_of(ServiceContract, contract_id))
    return app.renew_contract(who.actor, contract_id, **body.model_dump())


@router.post("/contracts/{contract_id}/terminate", name="contract.terminate",
             summary="终止合同（自终止日起不再有效），或撤回未会签的合同")
def terminate_contract(contract_id: str, body: s.ContractTermination,
                       who: Principal = Depends(principal), app=Depends(ledger)) -> s.Written:
    app.authorize(who, "contract.terminate", app.subject_of(ServiceContract, contract_id))
    return app.terminate_contract(who.actor, contract_id, **body.model_dump())
