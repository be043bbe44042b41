"""UI strings of the pages, Simplified Chinese first, English as the second language.

The language comes from ``?lang=zh-CN|en`` (remembered in a cookie) or that cookie; Chinese by default.
"""

from __future__ import annotations

from aiohttp import web

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
        "no_open_orders": "没有未完成的订单",
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
        "no_open_orders": "No open orders",
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
    },
}


def pick_lang(request: web.Request) -> tuple[str, bool]:
    """The page language and whether it came from ``?lang=`` (then it is remembered)."""
    asked = request.query.get("lang", "")
    if asked in LANGS:
        return asked, True
    stored = request.cookies.get(COOKIE, "")
    return (stored if stored in LANGS else DEFAULT_LANG), False
