"""Bodies of the parties (enterprises, agencies, experts, the pool), agreements, service contracts
and inspections."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from services.api import vocabularies as vocab
from services.api.schemas.base import Amount, Body, Day, Ident, Short, Text


class NewEnterprise(Body):
    credit_code: Short
    name: Short
    township: Short
    sector: Short
    scale: vocab.Scale
    annual_output: Amount = Decimal(0)
    risk_flags: list[Short] = []
    address: Text = ""


class NewAgency(Body):
    credit_code: Short
    name: Short


class NewExpert(Body):
    name: Short
    certificate_no: Short


class ExpertLeaves(Body):
    reason: Text


class PoolAdmission(Body):
    admitted_on: Day | None = None


class Prices(Body):
    comprehensive: Amount | None = None
    monthly: Amount | None = None


class NewAgreement(Body):
    agency_id: Ident
    townships: list[Short] = Field(min_length=1, max_length=100)
    sectors: list[Short] = Field(min_length=1, max_length=50)
    start: Day
    end: Day
    prices: Prices
    budget: Amount
    services: list[vocab.Service] | None = None


class NewContract(Body):
    enterprise_id: Ident
    agency_id: Ident
    service: vocab.Service
    start: Day
    end: Day
    fee: Amount


class ContractRenewal(Body):
    end: Day
    fee: Amount


class ContractTermination(Body):
    reason: Text
    terminated_on: Day | None = None


class NewInspection(Body):
    enterprise_id: Ident
    agency_id: Ident | None = None
    kind: vocab.InspectionKind
    basis_id: Ident | None = None
    scheduled_for: Day


class InspectionPerformed(Body):
    performed_on: Day | None = None
    expert_ids: list[Ident] = Field(default=[], max_length=100)


class InspectionReport(Body):
    document_no: Short
    filed_on: Day | None = None


class Cancellation(Body):
    reason: Text


