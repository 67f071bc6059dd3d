#!/usr/bin/env bash
# One major hazard (重大隐患) from report to closure (销号), with curl. README walks through it.
# Run against a server started with `python3 dev.py serve` (default http://127.0.0.1:8000).
set -euo pipefail
API=${API:-http://127.0.0.1:8000/api/v1}
hazard() { python3 dev.py hazard "$@"; }
id() { python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
post() { curl -sS --fail-with-body -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -X POST "$API$2" -d "$3"; }

# Tokens name a role, its scope and the holder recorded on every event.
BUREAU=$(hazard token issue --role bureau --name "宁海县应急管理局 张科长")
ENT=$(post "$BUREAU" /enterprises '{"credit_code":"91330226MA2GQ5XL3D","name":"宁海县某化工有限公司",
  "township":"330226011","sector":"chem","scale":"small_micro"}' | id)
AG=$(post "$BUREAU" /agencies '{"credit_code":"91350100M000100Y43","name":"宁海安评咨询有限公司"}' | id)
AGENCY=$(hazard token issue --role agency --agency "$AG" --name "李工（注册安全工程师）")
EXPERT=$(post "$AGENCY" "/agencies/$AG/experts" '{"name":"李工","certificate_no":"ZJ2026-001"}' | id)
# A service contract binds once both sides sign: the bureau records the enterprise's paper
# contract (older than 30 days: a late entry, 补录, marked on the contract), the agency countersigns.
CONTRACT=$(post "$BUREAU" /contracts "{\"enterprise_id\":\"$ENT\",\"agency_id\":\"$AG\",\"service\":\"monthly\",
  \"start\":\"2026-01-01\",\"end\":\"2029-12-31\",\"fee\":\"3600\"}" | id)
post "$AGENCY" "/contracts/$CONTRACT/countersign" '{}'; echo

# The agency inspects under its contract and reports a major hazard.
INSP=$(post "$AGENCY" /inspections "{\"enterprise_id\":\"$ENT\",\"agency_id\":\"$AG\",\"kind\":\"monthly\",
  \"basis_id\":\"$CONTRACT\",\"scheduled_for\":\"2026-05-10\"}" | id)
post "$AGENCY" "/inspections/$INSP/perform" "{\"performed_on\":\"2026-05-10\",\"expert_ids\":[\"$EXPERT\"]}"; echo
HZ=$(post "$AGENCY" /hazards "{\"enterprise_id\":\"$ENT\",\"inspection_id\":\"$INSP\",\"source\":\"inspection\",
  \"category\":\"unsafe_condition\",\"description\":\"储罐区可燃气体报警器失效\",\"level\":\"major\"}" | id)

# The enterprise names who is responsible, files the six-part plan (治理方案) and rectifies.
OWNER=$(hazard token issue --role enterprise --enterprise "$ENT" --name "王厂长")
post "$OWNER" "/hazards/$HZ/assign" '{"responsible_person":"王五","deadline":"2026-06-20","assigned_on":"2026-05-11"}'; echo
post "$OWNER" "/hazards/$HZ/plan" '{"objectives":"更换报警器并联网","measures":"停用储罐区，更换探头",
  "funds":"8000 元","organisation":"设备科王五负责","timeline":"6 月 20 日前",
  "safety_measures":"停用期间专人巡检，备足应急器材","filed_on":"2026-05-12"}'; echo
REGULATOR=$(hazard token issue --role regulator --sector chem --name "县应急管理局 危化科")
post "$REGULATOR" "/hazards/$HZ/enforce" '{"kind":"order_rectification","document_no":"宁应急责改〔2026〕12号","taken_on":"2026-05-14"}'; echo
post "$OWNER" "/hazards/$HZ/rectify" '{"evidence":["after-1.jpg","验收单.pdf"],"cost":"7800.50","rectified_on":"2026-06-01"}'; echo

# Closing too early is refused, naming the rule — and nothing is stored.
curl -sS -H "Authorization: Bearer $BUREAU" -H 'Content-Type: application/json' -X POST "$API/hazards/$HZ/close" -d '{}'; echo

# Joint review (联合复查): township office, sector regulator and agency each sign.
TOWNSHIP=$(hazard token issue --role township --township 330226011 --name "西店镇安监办")
for WHO in "$TOWNSHIP" "$REGULATOR" "$AGENCY"; do
  post "$WHO" "/hazards/$HZ/review" '{"passed":true,"notes":"现场核查属实","reviewed_on":"2026-06-03"}'; echo
done
post "$BUREAU" "/hazards/$HZ/closure-report" '{"document_no":"宁安销〔2026〕7号","filed_on":"2026-06-04"}'; echo
post "$BUREAU" "/hazards/$HZ/close" '{"closed_on":"2026-06-05"}'; echo

# The state now, and the whole history with actor and time (Asia/Shanghai).
curl -sS -H "Authorization: Bearer $BUREAU" "$API/hazards/$HZ"; echo
hazard history "$HZ"
