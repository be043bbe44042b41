"""UI strings of the supervisor's pages (the tab bar; each tab's own strings sit in its own module):
Simplified Chinese first, English second (same keys in both)."""

ZH: dict[str, str] = {
    "supervisor_title": "主管工作台",
    "stab_wall": "实时看板",
    "stab_qc": "质检",
}

EN: dict[str, str] = {
    "supervisor_title": "Supervisor",
    "stab_wall": "Live wall",
    "stab_qc": "Quality control",
}
