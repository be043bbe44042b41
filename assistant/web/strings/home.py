"""UI strings of the start page ``/``: what is running and where to go next.
Simplified Chinese first, English second (same keys in both)."""

ZH: dict[str, str] = {
    "home_running": "客服助手正在运行",
    "home_intro": "这是聊天客户端旁边的本地服务。第一次来，先打开演示台：左边是模拟的聊天窗口，右边是真正的侧边栏。",
    "home_demo": "演示台",
    "home_demo_note": "模拟聊天客户端，侧边栏、快捷短语和改单都能试（只对本机开放）",
    "home_editor": "知识库编辑器",
    "home_editor_note": "从演示台进入，或在地址后加编辑的令牌：kefu token --agent lina",
    "home_api": "接口文档（OpenAPI）",
    "home_api_note": "每个接口都要带令牌：Authorization: Bearer <令牌>",
    "home_health": "运行状态",
    "home_health_note": "服务和数据库是否正常",
    "home_no_demo": "还没有演示店铺：运行 kefu demo 生成，或导入自己店铺的数据。",
}

EN: dict[str, str] = {
    "home_running": "kefu-assistant is running",
    "home_intro": "This is the local service beside the chat client. New here? Open the demo console: "
    "a make-believe chat window on the left, the real sidebar on the right.",
    "home_demo": "Demo console",
    "home_demo_note": "Plays the chat client: try the sidebar, quick replies and order edits (this machine only)",
    "home_editor": "Knowledge-base editor",
    "home_editor_note": "Open it from the demo console, or add an editor's token: kefu token --agent lina",
    "home_api": "API document (OpenAPI)",
    "home_api_note": "Every API call carries a token: Authorization: Bearer <token>",
    "home_health": "Health",
    "home_health_note": "Whether the service and its database are well",
    "home_no_demo": "No demo shop yet: run kefu demo to build it, or import your own shop's data.",
}
