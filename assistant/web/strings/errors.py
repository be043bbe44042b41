"""UI strings of the error page a browser sees for a page path (API paths answer JSON).
Simplified Chinese first, English second (same keys in both)."""

ZH: dict[str, str] = {
    "error_heading": "出错了",
    "error_status": "状态码 {status}",
    "error_home": "回到首页",
    "error_home_note": "从首页可以进入演示台、知识库编辑器和接口文档",
}

EN: dict[str, str] = {
    "error_heading": "Something went wrong",
    "error_status": "Status {status}",
    "error_home": "Back to the start page",
    "error_home_note": "the demo, the knowledge editor and the API documentation start there",
}
