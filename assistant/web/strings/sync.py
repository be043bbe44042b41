"""UI strings of edit sync (the order panel's 待同步 / 已同步 / 同步失败, the demo console playing the
host): Simplified Chinese first, English second (same keys in both)."""

ZH: dict[str, str] = {
    "sync_pending": "待同步",
    "sync_applied": "已同步",
    "sync_failed": "同步失败",
    "sync_reverted": "已本地撤销",
    "sync_retry": "重试",
    "sync_undo_local": "本地撤销",
    "sync_undo_local_hint": "平台上没有改成：把这里的订单改回原样，不再同步",
    "sync_of_undo": "撤销{kind}",
    "sync_pending_hint": "已在这里生效，等待工作台在平台上改好",
    "sync_not_embedded": "侧边栏不在工作台中，修改会在连上工作台后同步",
    "sync_retried": "已重新提交给工作台",
    "demo_host": "平台回应",
    "demo_host_ack": "确认修改",
    "demo_host_fail": "让修改失败",
    "demo_host_hold": "暂不回应",
    "demo_fail_reason": "演示：平台拒绝了这次修改",
}

EN: dict[str, str] = {
    "sync_pending": "Waiting to sync",
    "sync_applied": "Synced",
    "sync_failed": "Sync failed",
    "sync_reverted": "Undone here",
    "sync_retry": "Retry",
    "sync_undo_local": "Undo here",
    "sync_undo_local_hint": "The platform did not take it: put this order back as it was, without syncing",
    "sync_of_undo": "Undo of {kind}",
    "sync_pending_hint": "Applied here; waiting for the chat client to apply it on the platform",
    "sync_not_embedded": "The sidebar is not inside the chat client; edits sync once it is",
    "sync_retried": "Sent to the chat client again",
    "demo_host": "Platform answers",
    "demo_host_ack": "Accept edits",
    "demo_host_fail": "Make edits fail",
    "demo_host_hold": "Hold (no answer)",
    "demo_fail_reason": "Demo: the platform refused this edit",
}
