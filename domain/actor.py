"""Who did it: every event records its actor (id, role, display name)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    BUREAU = "bureau"              # 县应急管理局 / 安委会办公室
    TOWNSHIP = "township"          # 乡镇·街道办事处
    REGULATOR = "regulator"        # 行业主管部门
    AGENCY = "agency"              # 中介服务机构
    ENTERPRISE = "enterprise"      # 生产经营单位
    AUDITOR = "auditor"
    INVESTIGATOR = "investigator"  # 事故调查
    ADMIN = "admin"
    INSURER = "insurer"            # 保险机构（安责险承保机构, issue 15 §3）
    DEVICE = "device"              # 智慧用电设备: posts alarms for one enterprise, nothing else (issue 15 §4)


GOVERNMENT = frozenset({Role.BUREAU, Role.TOWNSHIP, Role.REGULATOR})
JOINT_REVIEW_PARTIES = (Role.TOWNSHIP, Role.REGULATOR, Role.AGENCY)
REVIEWING_UNITS = frozenset({Role.BUREAU, Role.TOWNSHIP, Role.REGULATOR, Role.AGENCY})

ROLE_NAMES_ZH = {
    Role.BUREAU: "县应急管理局",
    Role.TOWNSHIP: "乡镇（街道）",
    Role.REGULATOR: "行业主管部门",
    Role.AGENCY: "中介机构",
    Role.ENTERPRISE: "企业",
    Role.AUDITOR: "审计",
    Role.INVESTIGATOR: "事故调查",
    Role.ADMIN: "管理员",
    Role.INSURER: "保险机构",
    Role.DEVICE: "智慧用电设备",
}


@dataclass(frozen=True)
class Actor:
    """The holder of a token, as recorded on the events they cause."""

    id: str
    role: Role
    name: str

    def record(self) -> dict[str, str]:
        """The actor as stored on an event (plain JSON)."""
        return {"id": self.id, "role": str(self.role), "name": self.name}
