"""Chinese labels for the accountability reports (issue 6): officials read Chinese."""

from __future__ import annotations

from domain.evaluation import CRITERIA  # noqa: F401 — re-exported: 考评 criteria and their names

INSPECTION_KIND = {"comprehensive": "全面排查", "monthly": "按月排查", "special": "专项排查",
                   "self": "企业自查", "mutual": "组内互查", "reinspection": "复查",
                   "inter_group": "组间互查", "association": "行业协会互查",
                   "insurance_assessment": "安责险风险评估"}  # issue 15
INSPECTION_STATUS = {"scheduled": "已安排", "performed": "已实施", "report_filed": "报告已备案",
                     "cancelled": "已取消", "not_yet": "尚未安排"}
SERVICE = {"monthly": "按月排查", "comprehensive": "全面排查", "standardisation": "安全标准化",
           "training": "安全培训", "consulting": "安全咨询", "other": "其他"}
GRADE = {"excellent": "优秀", "pass": "合格", "fail": "不合格"}
BLACKLIST = {"blacklisted": "列入黑名单", "reinstated": "移出黑名单"}
FINDING = {"false_report": "出具虚假报告", "missed_inspection": "应查未查",
           "missed_hazard": "漏查隐患", "other": "其他"}
ACCIDENT = {"struck_by_object": "物体打击", "vehicle": "车辆伤害", "machinery": "机械伤害",
            "lifting": "起重伤害", "electrocution": "触电", "burn": "灼伤", "fire": "火灾",
            "fall": "高处坠落", "vessel_explosion": "容器爆炸", "poisoning": "中毒和窒息",
            "other": "其他伤害"}
CLAIM = {"filed": "已申报", "township_checked": "乡镇（街道）已初审", "bureau_reviewed": "县局已审核",
         "finance_approved": "财政局已审定", "noticed": "公示中", "paid": "已拨付",
         "returned": "已退回", None: "未申报"}
CLAIM_STEP = {"township_checked": "乡镇（街道）初审", "bureau_reviewed": "县应急管理局审核",
              "finance_approved": "县财政局审定"}
SCALE = {"above_size": "规上", "small_micro": "小微", "individual": "个体"}
BOUND_BY = {"contract": "企业委托服务合同", "agreement": "政府购买服务协议"}
