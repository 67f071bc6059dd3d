"""The hazard (事故隐患) and its lifecycle, 003 §五(二).

reported → responsibility assigned → [major: plan filed] → rectification reported → review
  general: one passed review by a unit other than the enterprise → closed (销号)
  major or 挂牌督办: joint review by township + regulator + agency, written closure report → closed
  a failed review returns the hazard to `assigned`.
Each command checks its rules (domain.rules) first and records one event; nothing else changes.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID
from enum import StrEnum

from eventsourcing.domain import Aggregate, event

from domain import rules
from domain import supervision_notice as notice
from domain.actor import (GOVERNMENT, JOINT_REVIEW_PARTIES, REVIEWING_UNITS, ROLE_NAMES_ZH,
                          Actor, Role)
from domain.criteria import Criterion, level_required, require_level_fits
from domain.errors import InvalidValue
from domain.evidence import evidence_entries
from domain.inspection import Inspection
from domain.parties import Enterprise
from domain.plan import rectification_plan
from domain.upcasts import criterion_cited, hazard_reported_v1_v2, versioned
from domain.values import (EnforcementKind, Level, Source, Status, SupervisionLevel, choice,
                           money, not_before, past_date, phone, text)
from domain.working_days import WorkingCalendar


class Category(StrEnum):
    UNSAFE_ACT = "unsafe_act"                # 人的不安全行为
    UNSAFE_CONDITION = "unsafe_condition"    # 物的不安全状态
    MANAGEMENT_DEFECT = "management_defect"  # 管理上的缺陷


OPEN = (Status.REPORTED, Status.ASSIGNED, Status.RECTIFIED)


def needs_joint_review(level: str, supervised: bool) -> bool:
    """Major and supervised (挂牌督办) hazards close only after a three-party joint review."""
    return level == Level.MAJOR or supervised


def extension_approver(level: str, supervised: bool) -> Role:
    """Who decides an extension request (延期审批, rule extension-approver): the bureau for
    挂牌督办 or major hazards, the township (乡镇街道) for general ones."""
    return Role.BUREAU if needs_joint_review(level, supervised) else Role.TOWNSHIP


class Hazard(Aggregate):
    """A hazard found at an enterprise, followed until it is closed (销号) or withdrawn."""

    # --- reporting ------------------------------------------------------------------------
    @classmethod
    def report(cls, *, enterprise: Enterprise, inspection: Inspection | None, source: str,
               category: str, description: str, level: str, discovered_on: date, today: date,
               actor: Actor, location: str = "", evidence: list[str] | None = None,
               criterion: Criterion | None = None, migrated: bool = False,
               hazard_id: UUID | None = None) -> Hazard:
        """Report a hazard (隐患上报) from an inspection, a self-check, a government check or a tip.
        A hazard citing a major criterion (重大事故隐患判定标准) must be reported major
        (rule `major-criterion`); evidence may cite stored files (`sha256:<hex>`).
        `migrated`: taken over from an old paper or Excel ledger (issue 16 §1, docs/import.md).
        `hazard_id`: given only for a hazard raised from smart-electricity alarms (智慧用电, source
        `smart_electricity`, reported by the device: issue 15 §4)."""
        source = choice("source", source, Source)
        level = choice("level", level, Level)
        if inspection is not None:
            if source != inspection.hazard_source:
                raise InvalidValue("source", f"关联排查的隐患来源须为 {inspection.hazard_source}"
                                   "（中介机构排查 inspection，互助组互查 mutual_help，行业协会互查 association）")
            rules.INSPECTION_SOURCE.require(
                inspection.enterprise_id == str(enterprise.id) and inspection.was_performed,
                "排查不属于该企业或尚未实施")
            not_before("discovered_on", discovered_on, inspection.performed_on, "排查实施日期")
        elif source in (Source.INSPECTION, Source.MUTUAL_HELP, Source.ASSOCIATION, Source.INSURANCE):
            raise InvalidValue("inspection_id", "来源为隐患排查（或互助组、行业协会互查、安责险评估）时须关联排查")
        if (source == Source.SMART_ELECTRICITY) != (actor.role == Role.DEVICE):
            raise InvalidValue("source", "来源为智慧用电监测的隐患只由用电告警自动生成（domain/electricity.py），不能手工上报")
        evidence = evidence_entries("evidence", evidence)
        require_level_fits(criterion, level)
        fields = dict(
            enterprise_id=str(enterprise.id), township=enterprise.township, sector=enterprise.sector,
            inspection_id=str(inspection.id) if inspection else None,
            agency_id=inspection.agency_id if inspection else None,
            source=source, category=choice("category", category, Category),
            description=text("description", description),
            level=level,
            location=text("location", location, max_len=500, required=False),
            evidence=evidence,
            discovered_on=past_date("discovered_on", discovered_on, today),
            actor=actor.record(),
            criterion=criterion.id if criterion else None,
            migrated=bool(migrated),
        )
        if hazard_id is None:
            return cls(**fields)
        # a deterministic id (a smart-electricity episode's hazard: domain/electricity.py), so a
        # replay of the same alarms can never raise a second hazard
        return cls._create(event_class=cls.Reported, id=hazard_id, **fields)

    @event("Reported")
    def __init__(self, *, enterprise_id: str, township: str, sector: str, inspection_id: str | None,
                 agency_id: str | None, source: str, category: str, description: str, level: str,
                 location: str, evidence: list[str], discovered_on: date, actor: dict,
                 criterion: str | None = None, migrated: bool = False) -> None:
        self.enterprise_id = enterprise_id
        self.township = township
        self.sector = sector
        self.inspection_id = inspection_id
        self.agency_id = agency_id
        self.source = source
        self.category = category
        self.description = description
        self.level = level
        self.location = location
        self.evidence = evidence
        self.criterion = criterion  # the cited criterion's id (None before issue 13, or none cited)
        self.migrated = migrated  # imported from an old ledger (issue 16 §1); False before it
        self.discovered_on = discovered_on
        self.status = Status.REPORTED.value
        self.responsible_person: str | None = None
        self.responsible_phone = ""
        self.deadline: date | None = None
        self.assigned_on: date | None = None
        self.plan: dict[str, str] | None = None
        self.supervision: dict | None = None  # the listing in force (挂牌督办), else None
        self.listing: dict | None = None  # the 挂牌督办 paperwork (domain/supervision_notice.py)
        self.enforcement: list[dict] = []
        self.rectification: dict | None = None
        self.review: dict | None = None
        self.joint_review: dict[str, dict] = {}
        self.failed_reviews = 0
        self.closure_report: dict | None = None
        self.closed_on: date | None = None
        self.withdrawal: dict | None = None
        self.extensions: list[dict] = []
        self.extension_request: dict | None = None  # the pending 延期申请 (issue 14)

    # --- what the state says -----------------------------------------------------------------
    @property
    def needs_joint_review(self) -> bool:
        """Major and supervised (挂牌督办) hazards close only after a three-party joint review."""
        return needs_joint_review(self.level, self.supervision is not None)

    @property
    def joint_review_complete(self) -> bool:
        return all(str(p) in self.joint_review for p in JOINT_REVIEW_PARTIES)

    def is_overdue(self, on: date) -> bool:
        """Past its deadline and not rectified (逾期未整改) on a date."""
        return self.status in (Status.ASSIGNED,) and self.deadline is not None and self.deadline < on

    def _require_open(self) -> None:
        rules.HAZARD_NOT_OPEN.require(self.status in OPEN, f"当前状态 {self.status}")

    # --- responsibility (责任不落实不放过) ------------------------------------------------------
    def assign_responsibility(self, *, responsible_person: str, deadline: date, assigned_on: date,
                              today: date, actor: Actor, responsible_phone: str = "") -> None:
        """Name the responsible person (责任人) and the rectification deadline (整改期限)."""
        self._require_open()
        rules.ASSIGN_STATUS.require(
            self.status in (Status.REPORTED, Status.ASSIGNED), f"当前状态 {self.status}")
        past_date("assigned_on", assigned_on, today)
        not_before("assigned_on", assigned_on, self.discovered_on, "隐患发现日期")
        rules.DEADLINE_BEFORE_DISCOVERY.require(
            deadline >= self.discovered_on, f"{deadline} < {self.discovered_on}")
        rules.REASSIGN_KEEPS_DEADLINE.require(
            self.deadline is None or deadline <= self.deadline, f"原期限 {self.deadline}")
        self._responsibility_assigned(
            responsible_person=text("responsible_person", responsible_person, max_len=100),
            responsible_phone=phone("responsible_phone", responsible_phone),
            deadline=deadline, assigned_on=assigned_on, actor=actor.record())

    @event("ResponsibilityAssigned")
    def _responsibility_assigned(self, *, responsible_person: str, deadline: date,
                                 assigned_on: date, actor: dict, responsible_phone: str = "") -> None:
        self.responsible_person = responsible_person
        self.responsible_phone = responsible_phone
        self.deadline = deadline
        self.assigned_on = assigned_on
        self.status = Status.ASSIGNED.value

    def file_rectification_plan(self, *, parts: dict[str, str], filed_on: date, today: date,
                                actor: Actor) -> None:
        """Rectification plan (治理方案) required for major hazards, in six parts."""
        self._require_open()
        rules.PLAN_STATUS.require(self.status == Status.ASSIGNED, f"当前状态 {self.status}")
        past_date("filed_on", filed_on, today)
        not_before("filed_on", filed_on, self.assigned_on, "责任落实日期")
        self._plan_filed(plan=rectification_plan(**parts), filed_on=filed_on, actor=actor.record())

    @event("RectificationPlanFiled")
    def _plan_filed(self, *, plan: dict[str, str], filed_on: date, actor: dict) -> None:
        self.plan = {**plan, "filed_on": filed_on}

    @event("DeadlineExtended")
    def _deadline_extended(self, *, previous: date, deadline: date, reason: str, actor: dict) -> None:
        """The old direct extension (before issue 14): no command records it any more; stored
        ones still apply (docs/supervision.md)."""
        self.extensions.append({"previous": previous, "deadline": deadline, "reason": reason,
                                "approver": actor})
        self.deadline = deadline

    # --- extension requests (延期申请, issue 14 point 2) -------------------------------------
    @property
    def extension_approver(self) -> Role:
        """Who decides an extension request (`extension_approver`)."""
        return extension_approver(self.level, self.supervision is not None)

    def request_extension(self, *, new_deadline: date, reason: str, interim_controls: str,
                          requested_on: date, today: date, calendar: WorkingCalendar,
                          min_working_days: int, actor: Actor, channel: str = "online") -> None:
        """The enterprise applies for a later deadline (延期申请), with its interim controls
        (临时管控措施), at least `min_working_days` working days (工作日, `calendar`) before the
        deadline in force. Nothing moves until an approval (`decide_extension`).
        `channel` "paper": a paper application recorded by its approver (`extend`); its interim
        controls may be left out."""
        self._require_open()
        rules.EXTEND_STATUS.require(self.status == Status.ASSIGNED, f"当前状态 {self.status}")
        pending = getattr(self, "extension_request", None)
        rules.EXTENSION_PENDING.require(pending is None, f"{pending and pending['requested_on']} 的申请待审批")
        past_date("requested_on", requested_on, today)
        not_before("requested_on", requested_on, self.assigned_on, "责任落实日期")
        rules.EXTENSION_BEFORE_DEADLINE.require(requested_on <= self.deadline,
                                                f"整改期限 {self.deadline}，申请日 {requested_on}")
        rules.EXTEND_LATER.require(new_deadline > self.deadline, f"原期限 {self.deadline}")
        notice_given = calendar.working_days_between(requested_on, self.deadline) >= min_working_days
        rules.EXTENSION_NOTICE.require(
            notice_given, "" if notice_given else  # (a policy of 0 days has no latest day)
            f"须提前 {min_working_days} 个工作日，整改期限 {self.deadline}，"
            f"最迟申请日 {calendar.subtract_working_days(self.deadline, min_working_days)}，申请日 {requested_on}")
        self._extension_requested(
            deadline=self.deadline, new_deadline=new_deadline,
            reason=text("reason", reason, max_len=1000),
            interim_controls=text("interim_controls", interim_controls, max_len=2000,
                                  required=channel != "paper"),
            requested_on=requested_on, actor=actor.record(), channel=channel)

    @event("ExtensionRequested")
    def _extension_requested(self, *, deadline: date, new_deadline: date, reason: str,
                             interim_controls: str, requested_on: date, actor: dict,
                             channel: str = "online") -> None:
        self.extension_request = {"deadline": deadline, "new_deadline": new_deadline, "reason": reason,
                                  "interim_controls": interim_controls, "requested_on": requested_on,
                                  "applicant": actor, "channel": channel}

    def decide_extension(self, *, approved: bool, opinion: str, decided_on: date, today: date,
                         by: Actor) -> None:
        """The approver named by policy (`extension_approver`) approves or refuses (审批意见);
        only an approval moves the deadline."""
        self._require_open()
        pending = getattr(self, "extension_request", None)
        rules.EXTENSION_DECISION_NEEDS_REQUEST.require(pending is not None)
        approver = self.extension_approver
        rules.EXTENSION_APPROVER.require(
            by.role == approver, f"本隐患由 {ROLE_NAMES_ZH.get(approver, approver)} 审批，操作角色 {by.role}")
        past_date("decided_on", decided_on, today)
        not_before("decided_on", decided_on, pending["requested_on"], "延期申请日期")
        self._extension_decided(approved=bool(approved), opinion=text("opinion", opinion, max_len=1000),
                                decided_on=decided_on, previous=self.deadline,
                                deadline=pending["new_deadline"] if approved else self.deadline,
                                actor=by.record())

    def extend_on_paper(self, *, new_deadline: date, reason: str, requested_on: date,
                        interim_controls: str, opinion: str, decided_on: date, today: date,
                        calendar: WorkingCalendar, min_working_days: int, by: Actor) -> None:
        """延期 on a paper application (纸质延期申请), decided by its approver in one step: records
        `ExtensionRequested` (channel "paper", recorded by the approver) and an approving
        `ExtensionDecided`. Every rule of a request and of a decision applies, the notice
        (`extension-request-notice`) included; all are checked before either event."""
        self._require_open()
        approver = self.extension_approver
        rules.EXTENSION_APPROVER.require(
            by.role == approver, f"本隐患由 {ROLE_NAMES_ZH.get(approver, approver)} 审批，操作角色 {by.role}")
        past_date("decided_on", decided_on, today)
        not_before("decided_on", decided_on, requested_on, "延期申请日期")
        opinion = text("opinion", opinion, max_len=1000, required=False) or "同意延期（纸质申请）"
        self.request_extension(new_deadline=new_deadline, reason=reason,
                               interim_controls=interim_controls, requested_on=requested_on,
                               today=today, calendar=calendar, min_working_days=min_working_days,
                               actor=by, channel="paper")
        self.decide_extension(approved=True, opinion=opinion, decided_on=decided_on, today=today, by=by)

    @event("ExtensionDecided")
    def _extension_decided(self, *, approved: bool, opinion: str, decided_on: date, previous: date,
                           deadline: date, actor: dict) -> None:
        request = self.extension_request
        if approved:
            self.extensions.append({"previous": previous, "deadline": deadline,
                                    "reason": request["reason"], "approver": actor,
                                    "requested_on": request["requested_on"], "decided_on": decided_on})
            self.deadline = deadline
        self.extension_request = None

    # --- grading and supervision ----------------------------------------------------------
    def regrade(self, *, level: str, reason: str, actor: Actor, criterion: Criterion | None = None,
                cited: Criterion | None = None) -> None:
        """Change the grade (general 一般 ↔ major 重大), with a reason; or cite another criterion.

        `criterion`: cited from now on; it must fit the new level (rule `major-criterion`).
        Without one the hazard keeps its citation (`cited`: the criterion it cites now, as the
        catalogue has it), unless it is graded down to general while citing a major criterion:
        the reason is then why the criterion does not apply, and the citation is dropped (the
        history keeps it)."""
        self._require_open()
        rules.REGRADE_STATUS.require(
            self.status in (Status.REPORTED, Status.ASSIGNED), f"当前状态 {self.status}")
        rules.REGRADE_BY_AUTHORITY.require(
            actor.role in GOVERNMENT or actor.role == Role.AGENCY, f"操作角色 {actor.role}")
        level = choice("level", level, Level)
        if criterion is not None:
            cites = criterion.id
        else:
            cites = None if cited is not None and level_required(cited) not in (None, level) \
                else self.criterion
        rules.REGRADE_SAME.require(level != self.level or cites != self.criterion,
                                   f"现等级 {self.level}")
        require_level_fits(criterion, level)
        self._regraded(previous=self.level, level=level, reason=text("reason", reason, max_len=1000),
                       actor=actor.record(), criterion=cites)

    @event("Regraded")
    def _regraded(self, *, previous: str, level: str, reason: str, actor: dict,
                  criterion: str | None = None) -> None:
        self.level = level
        self.criterion = criterion

    def list_for_supervision(self, *, level: str, document_no: str, listed_on: date, today: date,
                             actor: Actor) -> None:
        """List the hazard for supervision (挂牌督办): the county bureau's decision."""
        self._require_open()
        rules.SUPERVISE_BY_BUREAU.require(actor.role == Role.BUREAU, f"操作角色 {actor.role}")
        notice.require_issuable(self.listing)
        past_date("listed_on", listed_on, today)
        not_before("listed_on", listed_on, self.discovered_on, "隐患发现日期")
        self._listed(level=choice("level", level, SupervisionLevel),
                     document_no=text("document_no", document_no, max_len=100),
                     listed_on=listed_on, actor=actor.record())

    @event("ListedForSupervision")
    def _listed(self, *, level: str, document_no: str, listed_on: date, actor: dict) -> None:
        """The old one-step listing (still recorded by `supervise`): in force, no paperwork."""
        self.listing = notice.old_listing(level=level, document_no=document_no, listed_on=listed_on)
        self.supervision = notice.supervision_of(self.listing)

    # --- 挂牌督办通知书 (issue 14 §1): the rules live in domain/supervision_notice.py ----------
    def issue_listing(self, *, level: str, government: str, department: str, document_no: str,
                      finish_days: int, plan_days: int, signatory: str, issued_on: date,
                      today: date, actor: Actor) -> None:
        """The bureau issues a 挂牌督办通知书; the hazard is supervised from now on."""
        self._require_open()
        notice.require_bureau(actor)
        notice.require_issuable(self.listing, self.status)
        self._listing_issued(**notice.terms(
            level=level, government=government, department=department, document_no=document_no,
            finish_days=finish_days, plan_days=plan_days, signatory=signatory, issued_on=issued_on,
            today=today, discovered_on=self.discovered_on), actor=actor.record())

    @event("ListingIssued")
    def _listing_issued(self, *, level: str, government: str, department: str, document_no: str,
                        finish_days: int, plan_days: int, signatory: str, issued_on: date,
                        actor: dict) -> None:
        self.listing = notice.issued(
            level=level, government=government, department=department, document_no=document_no,
            finish_days=finish_days, plan_days=plan_days, signatory=signatory, issued_on=issued_on)
        self.supervision = notice.supervision_of(self.listing)

    def serve_listing(self, *, served_by: str, served_on: date, today: date, actor: Actor) -> None:
        """送达: the bureau records who served the notice and when."""
        self._require_open()
        notice.require_bureau(actor)
        notice.require_servable(self.listing)
        self._listing_served(served_by=text("served_by", served_by, max_len=50),
                             served_on=notice.step_date("served_on", served_on, self.listing, today, "下达日期"),
                             actor=actor.record())

    @event("ListingServed")
    def _listing_served(self, *, served_by: str, served_on: date, actor: dict) -> None:
        self.listing = notice.served(self.listing, served_by=served_by, served_on=served_on)

    def sign_listing(self, *, signed_by: str, signed_on: date, today: date, actor: Actor) -> None:
        """签收 by the enterprise (or its paper receipt, recorded by the bureau); the deadlines are
        computed here, once, and stored on the event."""
        self._require_open()
        channel = notice.sign_channel(actor)
        notice.require_signable(self.listing)
        signed_on = notice.step_date("signed_on", signed_on, self.listing, today, "送达日期")
        finish_by, plan_by = notice.deadlines(signed_on, self.listing["finish_days"],
                                              self.listing["plan_days"])
        self._listing_signed(signed_by=text("signed_by", signed_by, max_len=50), signed_on=signed_on,
                             channel=channel, finish_by=finish_by, plan_by=plan_by, actor=actor.record())

    @event("ListingSigned")
    def _listing_signed(self, *, signed_by: str, signed_on: date, channel: str, finish_by: date,
                        plan_by: date, actor: dict) -> None:
        self.listing = notice.signed(self.listing, signed_by=signed_by, signed_on=signed_on,
                                     channel=channel, finish_by=finish_by, plan_by=plan_by)

    def cancel_listing(self, *, reason: str, document_no: str, cancelled_on: date, today: date,
                       actor: Actor) -> None:
        """撤销挂牌督办 of a listing in force (an old one included), before rectification is
        reported; the hazard is no longer supervised (joint review, extension approver)."""
        self._require_open()
        notice.require_bureau(actor)
        notice.require_cancellable(self.listing, self.status)
        self._listing_cancelled(
            reason=text("reason", reason, max_len=1000),
            document_no=text("document_no", document_no, max_len=100),
            cancelled_on=notice.step_date("cancelled_on", cancelled_on, self.listing, today, "上一步办理日期"),
            actor=actor.record())

    @event("ListingCancelled")
    def _listing_cancelled(self, *, reason: str, document_no: str, cancelled_on: date,
                           actor: dict) -> None:
        self.listing = notice.cancelled(self.listing, reason=reason, document_no=document_no,
                                        cancelled_on=cancelled_on)
        self.supervision = notice.supervision_of(self.listing)

    def record_enforcement(self, *, kind: str, document_no: str, taken_on: date, today: date,
                           actor: Actor) -> None:
        """An enforcement action by the sector regulator (执法不到位不放过)."""
        rules.HAZARD_NOT_OPEN.require(self.status != Status.WITHDRAWN, "隐患已撤销")
        rules.ENFORCE_BY_REGULATOR.require(actor.role == Role.REGULATOR, f"操作角色 {actor.role}")
        past_date("taken_on", taken_on, today)
        not_before("taken_on", taken_on, self.discovered_on, "隐患发现日期")
        self._enforced(kind=choice("kind", kind, EnforcementKind),
                       document_no=text("document_no", document_no, max_len=100),
                       taken_on=taken_on, actor=actor.record())

    @event("EnforcementRecorded")
    def _enforced(self, *, kind: str, document_no: str, taken_on: date, actor: dict) -> None:
        self.enforcement.append({"kind": kind, "document_no": document_no, "taken_on": taken_on,
                                 "by": actor})

    # --- rectification and review (隐患不消除不放过) ---------------------------------------
    def report_rectification(self, *, evidence: list[str], cost: object, rectified_on: date,
                             today: date, actor: Actor) -> None:
        """Rectification reported complete (整改完成), with evidence and cost."""
        self._require_open()
        rules.RECTIFY_STATUS.require(self.status == Status.ASSIGNED, f"当前状态 {self.status}")
        rules.MAJOR_NEEDS_PLAN.require(self.level != Level.MAJOR or self.plan is not None)
        rules.RECTIFY_NEEDS_EVIDENCE.require(bool(evidence))
        past_date("rectified_on", rectified_on, today)
        not_before("rectified_on", rectified_on, self.assigned_on, "责任落实日期")
        self._rectified(evidence=evidence_entries("evidence", evidence),
                        cost=money("cost", cost), rectified_on=rectified_on, actor=actor.record())

    @event("RectificationReported")
    def _rectified(self, *, evidence: list[str], cost: str, rectified_on: date, actor: dict) -> None:
        self.rectification = {"evidence": evidence, "cost": cost, "rectified_on": rectified_on}
        self.status = Status.RECTIFIED.value

    def review_rectification(self, *, passed: bool, notes: str, reviewed_on: date, today: date,
                             actor: Actor, evidence: list[str] | None = None) -> None:
        """Review (复查): one review for a general hazard, a joint-review signature otherwise;
        `evidence` (optional): what the reviewer saw, text or cited files (`sha256:<hex>`)."""
        self._require_open()
        rules.REVIEW_STATUS.require(self.status == Status.RECTIFIED, f"当前状态 {self.status}")
        rules.REVIEW_STATUS.require(self.review is None, "已复查通过，待销号")
        past_date("reviewed_on", reviewed_on, today)
        not_before("reviewed_on", reviewed_on, self.rectification["rectified_on"], "整改完成日期")
        notes = text("notes", notes, max_len=2000, required=False)
        evidence = evidence_entries("evidence", evidence)
        if self.needs_joint_review:
            self.sign_joint_review(passed=passed, notes=notes, reviewed_on=reviewed_on, actor=actor,
                                   evidence=evidence)
            return
        rules.SELF_REVIEW.require(actor.role in REVIEWING_UNITS, f"复查方角色 {actor.role}")
        self._reviewed(passed=bool(passed), notes=notes, reviewed_on=reviewed_on, actor=actor.record(),
                       evidence=evidence or None)

    @event("Reviewed")
    def _reviewed(self, *, passed: bool, notes: str, reviewed_on: date, actor: dict,
                  evidence: list[str] | None = None) -> None:
        if passed:
            self.review = {"passed": True, "notes": notes, "reviewed_on": reviewed_on, "by": actor,
                           "evidence": evidence or []}
        else:
            self._back_to_rectifying()

    def sign_joint_review(self, *, passed: bool, notes: str, reviewed_on: date, actor: Actor,
                          evidence: list[str] | None = None) -> None:
        """Joint review (联合复查) signature of the township office, the regulator or the agency."""
        self._require_open()
        rules.REVIEW_STATUS.require(self.status == Status.RECTIFIED, f"当前状态 {self.status}")
        rules.JOINT_REVIEW_PARTY.require(
            actor.role in JOINT_REVIEW_PARTIES, f"签署方角色 {actor.role}")
        rules.JOINT_REVIEW_TWICE.require(str(actor.role) not in self.joint_review, str(actor.role))
        evidence = evidence_entries("evidence", evidence)
        self._joint_review_signed(party=str(actor.role), passed=bool(passed), notes=notes,
                                  reviewed_on=reviewed_on, actor=actor.record(),
                                  evidence=evidence or None)

    @event("JointReviewSigned")
    def _joint_review_signed(self, *, party: str, passed: bool, notes: str, reviewed_on: date,
                             actor: dict, evidence: list[str] | None = None) -> None:
        if passed:
            self.joint_review[party] = {"notes": notes, "reviewed_on": reviewed_on, "by": actor,
                                        "evidence": evidence or []}
        else:
            self._back_to_rectifying()

    def _back_to_rectifying(self) -> None:
        """A failed review sends the hazard back to rectification; signatures start over."""
        self.status = Status.ASSIGNED.value
        self.review = None
        self.joint_review = {}
        self.failed_reviews += 1

    def file_closure_report(self, *, document_no: str, filed_on: date, today: date,
                            actor: Actor) -> None:
        """The written closure report (书面销号报告) after a passed joint review."""
        self._require_open()
        rules.CLOSURE_REPORT_NOT_NEEDED.require(self.needs_joint_review)
        rules.CLOSURE_REPORT_STATUS.require(
            self.status == Status.RECTIFIED and self.joint_review_complete, self._missing_parties())
        rules.CLOSURE_REPORT_STATUS.require(self.closure_report is None, "书面销号报告已提交")
        past_date("filed_on", filed_on, today)
        not_before("filed_on", filed_on, self._last_review_date(), "复查日期")
        self._closure_report_filed(document_no=text("document_no", document_no, max_len=100),
                                   filed_on=filed_on, actor=actor.record())

    @event("ClosureReportFiled")
    def _closure_report_filed(self, *, document_no: str, filed_on: date, actor: dict) -> None:
        self.closure_report = {"document_no": document_no, "filed_on": filed_on}

    def close(self, *, closed_on: date, today: date, actor: Actor) -> None:
        """Close the hazard (销号): only after a passed review (隐患不消除不放过)."""
        self._require_open()
        rules.CLOSE_NEEDS_REVIEW.require(self.status == Status.RECTIFIED, f"当前状态 {self.status}")
        if self.needs_joint_review:
            rules.CLOSE_NEEDS_JOINT_REVIEW.require(self.joint_review_complete, self._missing_parties())
            rules.CLOSE_NEEDS_CLOSURE_REPORT.require(self.closure_report is not None)
        else:
            rules.CLOSE_NEEDS_REVIEW.require(self.review is not None, "尚无通过的复查")
        past_date("closed_on", closed_on, today)
        not_before("closed_on", closed_on, self._last_review_date(), "复查日期")
        if self.closure_report:
            not_before("closed_on", closed_on, self.closure_report["filed_on"], "书面销号报告日期")
        self._closed(closed_on=closed_on, actor=actor.record())

    @event("Closed")
    def _closed(self, *, closed_on: date, actor: dict) -> None:
        self.status = Status.CLOSED.value
        self.closed_on = closed_on

    def withdraw(self, *, reason: str, actor: Actor) -> None:
        """Withdraw a false report (撤销), approved by the government officer holding the token."""
        self._require_open()
        rules.GOVERNMENT_APPROVER.require(actor.role in GOVERNMENT, f"批准人角色 {actor.role}")
        self._withdrawn(reason=text("reason", reason, max_len=1000), actor=actor.record())

    @event("Withdrawn")
    def _withdrawn(self, *, reason: str, actor: dict) -> None:
        self.status = Status.WITHDRAWN.value
        self.withdrawal = {"reason": reason, "approver": actor}

    # --- helpers ---------------------------------------------------------------------------
    def _missing_parties(self) -> str:
        missing = [ROLE_NAMES_ZH[p] for p in JOINT_REVIEW_PARTIES if str(p) not in self.joint_review]
        return "尚缺" + "、".join(missing) if missing else ""

    def _last_review_date(self) -> date:
        dates = [s["reviewed_on"] for s in self.joint_review.values()]
        if self.review:
            dates.append(self.review["reviewed_on"])
        return max(dates) if dates else self.discovered_on


# Event versions (docs/events.md): v2 of both always carries `criterion` (None: none cited),
# Reported v2 also `migrated`.
versioned(Hazard.Reported, 2, upcast_v1_v2=hazard_reported_v1_v2)
versioned(Hazard.Regraded, 2, upcast_v1_v2=criterion_cited)
