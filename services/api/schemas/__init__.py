"""Request bodies, one module per subject (`base`: what they all share). Unknown fields are refused
(422 names them); lengths are bounded here and again, with the domain's own words, in
`domain.values`. Routes use them as `from services.api import schemas as s` → `s.NewHazard`."""

from services.api.schemas.base import Amount, Body, Day, Days, Ident, Short, Text, Written  # noqa: F401
from services.api.schemas.parties import (  # noqa: F401
    NewEnterprise, NewAgency, NewExpert, ExpertLeaves, PoolAdmission, Prices, NewAgreement,
    NewContract, ContractRenewal, ContractTermination, NewInspection, InspectionPerformed,
    InspectionReport, Cancellation)
from services.api.schemas.hazards import (  # noqa: F401
    NewHazard, Assignment, RectificationPlan, Supervision, ListingNotice, ListingService,
    ListingReceipt, ListingCancellation, Enforcement, Rectification, Review, ClosureReport,
    Closing, Regrading, Extension, Withdrawal)
from services.api.schemas.oversight import (  # noqa: F401
    NewAccident, Evaluation, Blacklisting, Finding, ChecklistResult, ChecklistRecord,
    ChecklistLink, NewSelfReport, SelfReportAmendment, NewReferral, ReferralSigning,
    ReferralAnswer, ExtensionRequest, ExtensionDecision)
from services.api.schemas.integrations import (  # noqa: F401
    WebhookScope, NewWebhook, NewSubscription, NewInsurer, NewInsurancePolicy, Commission,
    PreventionService, NewAlarm, AlarmWritten)
from services.api.schemas.programmes import (  # noqa: F401
    NewGroup, NewAssociation, NewMember, MemberLeaves, NewGroupExpert, NewTraining, NewNeed,
    NewOffer, OfferAcceptance, NeedWithdrawal, NewRating, PartyScores, NewRewardFund, Award,
    RewardAllocation, ErasureRequest, PersonFound)
