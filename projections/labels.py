"""Chinese labels for the read models' codes and column headers (offices read Chinese)."""

from __future__ import annotations

STATUS = {"reported": "已上报", "assigned": "整改中", "rectified": "待复查", "closed": "已销号",
          "withdrawn": "已撤销"}
LEVEL = {"general": "一般隐患", "major": "重大隐患"}
GRADE = {"general": "一般隐患", "major": "重大隐患", "supervised": "挂牌督办隐患"}
SUPERVISION = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇"}
SOURCE = {"inspection": "隐患排查", "self_check": "企业自查", "government_check": "执法检查",
          "public_tip": "群众举报", "grid": "网格化协查"}
CATEGORY = {"unsafe_act": "人的不安全行为", "unsafe_condition": "物的不安全状态",
            "management_defect": "管理上的缺陷"}
ENFORCEMENT = {"order_rectification": "责令限期整改", "suspend": "停产停业整顿", "fine": "罚款",
               "case": "立案"}
CHECK = {"met": "已落实", "pending": "待落实", "violated": "未落实", "n/a": "不适用"}
THREE_CHECKS = {"responsibility": "责任不落实不放过", "enforcement": "执法不到位不放过",
                "elimination": "隐患不消除不放过"}
YES_NO = {True: "是", False: "否", None: ""}


def grade_label(grade: str, supervision_level: str | None) -> str:
    """一般隐患 / 重大隐患 / 挂牌督办隐患（县级）."""
    label = GRADE.get(grade, grade)
    if grade == "supervised" and supervision_level:
        label += f"（{SUPERVISION.get(supervision_level, supervision_level)}）"
    return label
