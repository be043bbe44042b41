"""UI strings of the pages, Simplified Chinese first, English as the second language.

The language comes from ``?lang=zh-CN|en`` (remembered in a cookie) or that cookie; Chinese by default.
"""

from __future__ import annotations

from aiohttp import web

from assistant.web.strings import editor_kb, editor_qr, lookup, orders

LANGS = ("zh-CN", "en")
DEFAULT_LANG = "zh-CN"
COOKIE = "kefu_lang"

STRINGS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "product": "客服助手",
        "switch_lang": "English",
        "sidebar_title": "客服助手",
        "waiting": "等待会话……在聊天窗口打开一位买家",
        "connecting": "正在连接……",
        "reconnecting": "连接中断，正在重连……",
        "buyer": "买家",
        "new_buyer": "新客",
        "returning_buyer": "老客",
        "open_orders": "未完成订单",
        "risk": "风险提示",
        "suggestions": "推荐回复",
        "no_suggestions": "没有把握的推荐，请用快捷短语（Ctrl+Shift+K）",
        "not_confident": "仅供参考",
        "scripts": "活动话术",
        "knowledge": "商品知识",
        "selling_points": "卖点",
        "in_box": "包装清单",
        "size_chart": "尺码",
        "installation": "安装",
        "usage_notes": "使用注意",
        "related": "搭配推荐",
        "insert": "插入",
        "inserted": "已插入聊天框",
        "copied": "已复制到剪贴板，请粘贴",
        "copy_failed": "无法复制，请手动选择文字",
        "load_failed": "加载失败",
        "item_in_focus": "咨询商品",
        "last_message": "买家最新消息",
        "demo_title": "演示台",
        "demo_note": "演示用：本页只对本机开放，并内置演示客服「小美」的令牌。",
        "conversations": "会话",
        "chat": "聊天",
        "pick_conversation": "从左侧选一个会话开始",
        "buyer_says": "以买家身份发消息",
        "buyer_placeholder": "输入买家的话，回车发送",
        "send_as_buyer": "买家发送",
        "agent_composer": "客服输入框",
        "agent_placeholder": "侧边栏插入的文字会出现在这里",
        "send": "发送",
        "order_status": "订单",
        "open_editor": "打开编辑器（李娜）",
        "editor_title": "知识编辑器",
        "shop": "店铺",
        "tab_quick_replies": "快捷短语",
        "tab_intents": "意图与答案",
        "tab_hot_items": "爆款答案",
        "tab_knowledge": "商品知识",
        "tab_campaigns": "活动话术",
        "tab_synonyms": "同义词",
        "tab_try": "试一试",
        "tab_unmatched": "未匹配问题",
        "tab_usage": "使用统计",
        "role_agent": "客服",
        "role_editor": "编辑",
        "role_supervisor": "主管",
        "loading": "加载中……",
        "no_history": "还没有修改记录",
        "no_changes": "内容没有变化",
        "show_contents": "查看内容",
        "system": "系统",
        "rollback_here": "回滚到这一版",
        "rollback_confirm": "确定把内容恢复成第 {version} 版吗？恢复会另存为新的一版。",
        "rolled_back": "已回滚",
        "save_failed": "保存失败",
        "saved": "已保存",
        "action_create": "新建",
        "action_update": "修改",
        "action_delete": "删除",
        "action_rollback": "回滚",
    },
    "en": {
        "product": "Kefu Assistant",
        "switch_lang": "中文",
        "sidebar_title": "Assistant",
        "waiting": "Waiting for a conversation… open a buyer in the chat",
        "connecting": "Connecting…",
        "reconnecting": "Connection lost, reconnecting…",
        "buyer": "Buyer",
        "new_buyer": "New",
        "returning_buyer": "Returning",
        "open_orders": "Open orders",
        "risk": "Risk",
        "suggestions": "Suggested replies",
        "no_suggestions": "No confident suggestion; use quick replies (Ctrl+Shift+K)",
        "not_confident": "unsure",
        "scripts": "Campaign scripts",
        "knowledge": "Product knowledge",
        "selling_points": "Selling points",
        "in_box": "In the box",
        "size_chart": "Sizes",
        "installation": "Installation",
        "usage_notes": "Usage notes",
        "related": "Goes well with",
        "insert": "Insert",
        "inserted": "Inserted into the chat",
        "copied": "Copied to the clipboard; paste it",
        "copy_failed": "Could not copy; select the text by hand",
        "load_failed": "Failed to load",
        "item_in_focus": "Item",
        "last_message": "Buyer's last message",
        "demo_title": "Demo console",
        "demo_note": "Demo only: served to this machine only, with the demo agent 小美's token built in.",
        "conversations": "Conversations",
        "chat": "Chat",
        "pick_conversation": "Pick a conversation on the left",
        "buyer_says": "Write as the buyer",
        "buyer_placeholder": "Type the buyer's message, Enter sends",
        "send_as_buyer": "Buyer sends",
        "agent_composer": "Agent composer",
        "agent_placeholder": "Text inserted by the sidebar lands here",
        "send": "Send",
        "order_status": "Order",
        "open_editor": "Open the editor (Li Na)",
        "editor_title": "Knowledge editor",
        "shop": "Shop",
        "tab_quick_replies": "Quick replies",
        "tab_intents": "Intents & answers",
        "tab_hot_items": "Hot-item answers",
        "tab_knowledge": "Product knowledge",
        "tab_campaigns": "Campaign scripts",
        "tab_synonyms": "Synonyms",
        "tab_try": "Try it",
        "tab_unmatched": "Unmatched questions",
        "tab_usage": "Usage",
        "role_agent": "agent",
        "role_editor": "editor",
        "role_supervisor": "supervisor",
        "loading": "Loading…",
        "no_history": "No changes yet",
        "no_changes": "Nothing changed",
        "show_contents": "Show contents",
        "system": "system",
        "rollback_here": "Roll back to this",
        "rollback_confirm": "Restore version {version}? It is saved as a new version.",
        "rolled_back": "Rolled back",
        "save_failed": "Save failed",
        "saved": "Saved",
        "action_create": "created",
        "action_update": "changed",
        "action_delete": "deleted",
        "action_rollback": "rolled back",
    },
}

for _area in (lookup, orders, editor_qr, editor_kb):
    for _lang, _strings in (("zh-CN", _area.ZH), ("en", _area.EN)):
        _clash = STRINGS[_lang].keys() & _strings.keys()
        if _clash:
            raise ValueError(f"UI string keys defined twice: {sorted(_clash)}")
        STRINGS[_lang].update(_strings)


def pick_lang(request: web.Request) -> tuple[str, bool]:
    """The page language and whether it came from ``?lang=`` (then it is remembered)."""
    asked = request.query.get("lang", "")
    if asked in LANGS:
        return asked, True
    stored = request.cookies.get(COOKIE, "")
    return (stored if stored in LANGS else DEFAULT_LANG), False
