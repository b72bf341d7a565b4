"""The dashboard's words in Traditional Chinese (default) and English.

The language comes from `?lang=` (which also sets a cookie), then the cookie,
then zh-HK. A missing key shows the key itself, so a gap is visible, not fatal.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

LANGUAGES = ("zh-HK", "en")
DEFAULT_LANGUAGE = "zh-HK"
LANGUAGE_COOKIE = "marksix_lang"

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (zh-HK, en)
    "app.name": ("六合彩回覆機械人", "Mark Six reply bot"),
    "nav.overview": ("概覽", "Overview"),
    "nav.accounts": ("帳戶", "Accounts"),
    "nav.replies": ("回覆記錄", "Reply log"),
    "nav.settings": ("設定", "Settings"),
    "nav.stats": ("統計", "Statistics"),
    "nav.card": ("開獎日帖子", "Draw-day post"),
    "nav.articles": ("文章", "Articles"),
    "nav.sandbox": ("沙盒", "Sandbox"),
    "nav.logout": ("登出", "Log out"),
    "nav.language": ("English", "中文"),
    "login.title": ("登入管理介面", "Log in to the dashboard"),
    "login.password": ("管理員密碼", "Admin password"),
    "login.submit": ("登入", "Log in"),
    "login.wrong": ("密碼錯誤。", "Wrong password."),
    "login.throttled": (
        "嘗試次數太多，請 {seconds} 秒後再試。",
        "Too many tries; wait {seconds} s and try again.",
    ),
    "setup.title": ("設定管理員密碼", "Set the admin password"),
    "setup.hint": (
        "第一次使用：請設定密碼（最少 10 個字元）。密碼會以 argon2 雜湊儲存。",
        "First run: choose a password (at least 10 characters). It is stored as an argon2 hash.",
    ),
    "setup.confirm": ("再輸入一次", "Repeat it"),
    "setup.submit": ("儲存密碼", "Save password"),
    "setup.too_short": ("密碼最少要 10 個字元。", "The password needs at least 10 characters."),
    "setup.mismatch": ("兩次輸入嘅密碼唔一樣。", "The two passwords differ."),
    "csrf.failed": ("表單已過期，請重新載入頁面再試。", "The form expired; reload the page and try again."),
    "overview.title": ("概覽", "Overview"),
    "overview.queue": ("隊列", "Queue"),
    "overview.queue_depth": ("等候處理", "Waiting"),
    "overview.throughput": ("過去一小時已處理", "Handled in the last hour"),
    "overview.per_minute": ("每分鐘", "per minute"),
    "overview.timeline": ("過去一小時每 5 分鐘處理咗幾多條留言", "Comments handled per 5 minutes, last hour"),
    "overview.latency": ("回覆延遲中位數", "median reply latency"),
    "overview.states": ("留言狀態", "Comments by state"),
    "overview.next_draw": ("下期攪珠", "Next draw"),
    "overview.unavailable": ("服務資料未接上。", "Service data is not connected."),
    "accounts.title": ("帳戶", "Accounts"),
    "accounts.username": ("用戶名", "Username"),
    "accounts.status": ("狀態", "Status"),
    "accounts.token_expires": ("權杖到期", "Token expires"),
    "accounts.rate_usage": ("用量上限使用率", "Rate-limit usage"),
    "accounts.webhook": ("Webhook 訂閱", "Webhook subscription"),
    "accounts.alerts": ("警示", "Alerts"),
    "accounts.webhook_subscribed": ("已訂閱", "Subscribed"),
    "accounts.webhook_none": ("未訂閱：收唔到留言", "Not subscribed: no comments will arrive"),
    "accounts.webhook_unknown": ("未能查詢", "Could not check"),
    "accounts.none": ("未有帳戶。", "No accounts yet."),
    "replies.title": ("回覆記錄", "Reply log"),
    "replies.search": ("搜尋留言或回覆", "Search comments and replies"),
    "replies.all": ("全部", "All"),
    "replies.filter": ("篩選", "Filter"),
    "replies.comment": ("留言", "Comment"),
    "replies.intent": ("意圖", "Intent"),
    "replies.reply": ("回覆", "Reply"),
    "replies.state": ("狀態", "Status"),
    "replies.latency": ("延遲", "Latency"),
    "replies.reason": ("略過／失敗原因", "Skip or failure reason"),
    "replies.account": ("帳戶", "Account"),
    "replies.received": ("收到時間", "Received"),
    "replies.none": ("沒有符合的記錄。", "No matching entries."),
    "replies.page": ("第 {page} 頁，共 {pages} 頁（{total} 條）", "Page {page} of {pages} ({total} entries)"),
    "replies.previous": ("上一頁", "Previous"),
    "replies.next": ("下一頁", "Next"),
    "settings.title": ("設定", "Settings"),
    "settings.language": ("回覆語言", "Reply language"),
    "settings.language_auto": ("跟留言語言", "Same as the comment"),
    "settings.cooldown": ("同一用戶冷卻（秒）", "Per-commenter cooldown (seconds)"),
    "settings.cap": ("每個帖子回覆上限", "Reply cap per post"),
    "settings.llm": ("用 LLM 改寫回覆", "Rephrase replies with the LLM"),
    "settings.llm_unconfigured": ("（未設定 LLM 端點）", "(no LLM endpoint configured)"),
    "settings.save": ("儲存", "Save"),
    "settings.saved": ("已儲存。", "Saved."),
    "settings.invalid": ("設定無效：{problem}", "Invalid setting: {problem}"),
    "settings.preview": ("即時預覽", "Live preview"),
    "settings.preview_hint": ("輸入一條留言，睇下機械人會點回覆。", "Type a comment to see the bot's reply."),
    "settings.preview_placeholder": ("例如：畀組號碼我", "e.g. give me some numbers"),
    "stats.title": ("統計", "Statistics"),
    "stats.frequency": ("出現次數", "Frequency"),
    "stats.gaps": ("間隔與冷熱", "Gaps, hot and cold"),
    "stats.backtest": ("回測對比隨機", "Backtest against random"),
    "stats.popularity": ("號碼受歡迎程度", "Number popularity"),
    "stats.draws": ("共 {count} 期（{first} 至 {last}）", "{count} draws ({first} to {last})"),
    "stats.frequency_note": (
        "灰色帶係純粹隨機下 95% 會落喺嘅範圍。"
        "有幾個號碼落喺帶外係正常嘅：49 個號碼入面預計大約有 2 至 3 個。",
        "The grey band is where 95% of counts fall by chance alone. A few numbers outside it is normal:"
        " about 2 or 3 of 49 are expected to be.",
    ),
    "stats.chi_square": (
        "卡方檢定：χ² = {chi2}，p = {p}。{verdict}",
        "Chi-square test: χ² = {chi2}, p = {p}. {verdict}",
    ),
    "stats.uniform": ("結果同公平隨機攪珠相符。", "The counts are consistent with a fair random draw."),
    "stats.not_uniform": (
        "偏離隨機比預期大，值得核對數據；但咁都唔代表可以預測下一期。",
        "More uneven than chance usually gives; worth checking the data,"
        " but it does not make draws predictable.",
    ),
    "stats.gaps_note": (
        "每格係一個號碼，顏色越深代表越耐未出。期望間隔大約 8 期；「未出」唔會令佢下期更易出。",
        "Each cell is a number; darker means longer since it was drawn. The expected gap is about 8 draws;"
        " being absent does not make a number due.",
    ),
    "stats.hot": ("近 {window} 期出得最多", "Most drawn in the last {window}"),
    "stats.cold": ("近 {window} 期出得最少", "Least drawn in the last {window}"),
    "stats.backtest_note": (
        "每個策略喺每期之前只用之前嘅數據揀號，再同隨機揀號比較。"
        "誤差線係 95% 置信區間：跨過隨機線即係同隨機冇分別。灰色帶係純隨機揀號 95% 會落喺嘅範圍。",
        "Each strategy picks using only earlier draws and is compared with random picks. Error bars are 95%"
        " intervals: one that crosses the random line is no different from chance. The grey band is where"
        " 95% of purely random pickers land.",
    ),
    "stats.unavailable": ("呢部分未有數據。", "Not available yet."),
    "stats.popularity_note": (
        "根據派彩推算邊啲號碼多人買。揀少人買嘅號碼唔會提高中獎機會，只係中咗時可能少啲人分獎金。",
        "Estimated from prize payouts: which numbers many players choose. Unpopular numbers do not win more"
        " often; they may only share a prize with fewer people.",
    ),
    "card.title": ("開獎日帖子", "Draw-day post"),
    "card.caption": ("說明文字", "Caption"),
    "card.render": ("重新產生", "Render again"),
    "card.publish": ("發佈到 Instagram", "Publish to Instagram"),
    "card.published": ("已發佈：媒體 ID {media_id}", "Published: media id {media_id}"),
    "card.publish_failed": ("發佈失敗：{problem}", "Publishing failed: {problem}"),
    "sandbox.title": ("沙盒：睇下機械人點樣回覆", "Sandbox: watch the bot reply"),
    "sandbox.intro": (
        "喺下面用任何名留言，回覆會經真實流程（webhook、隊列、worker、模擬 Instagram）喺一秒內出現。",
        "Comment under any name below; the reply comes through the real pipeline (webhook, queue, worker,"
        " simulated Instagram) within a second.",
    ),
    "sandbox.username": ("用戶名", "Username"),
    "sandbox.comment": ("留言……", "Add a comment…"),
    "sandbox.post": ("發佈", "Post"),
    "sandbox.run_draw": ("即刻攪珠（模擬）", "Run the next draw now (simulated)"),
    "sandbox.record": ("公開紀錄", "Public record"),
    "sandbox.waiting": ("等緊回覆……", "Waiting for the reply…"),
    "sandbox.no_reply": ("暫時未有回覆，請稍後再睇。", "No reply yet; it may be skipped or still queued."),
    "sandbox.no_reply_because": ("今次唔會回覆：", "No reply this time:"),
    "sandbox.likes": ("留言即刻攞你專屬嘅一組號碼", "Comment to get your own combination"),
    "common.responsible": (
        "攪珠係隨機嘅，冇任何方法可以提高中獎機會。18+ 只限成年人。求助：平和基金 1834 633",
        "Draws are random; nothing raises the chance of winning. 18+ only. Help: 平和基金 1834 633",
    ),
    "common.none": ("—", "—"),
    "articles.title": ("文章工作室", "Article studio"),
    "articles.where": (
        "用 marksix article write -o 寫入此資料夾的文章：",
        "Articles written with marksix article write -o into:",
    ),
    "articles.none": ("未有文章。", "No articles yet."),
    "articles.cover": ("封面", "Cover"),
    "articles.headline": ("標題", "Headline"),
    "articles.verdict": ("事實核對", "Fact check"),
    "articles.export": ("匯出", "Export"),
    "articles.ok": ("全部事實相符", "Every fact kept"),
    "articles.accepted": ("有問題（已接受）", "Problems accepted"),
    "articles.unfinished": ("有問題，未完成", "Problems; not finished"),
    "articles.models": ("模型", "Models"),
    "articles.source": ("原文", "Source"),
    "articles.preview": ("預覽", "Preview"),
    "articles.report": ("事實核對報告", "Faithfulness report"),
    "articles.fact": ("原文事實", "Source fact"),
    "articles.kind": ("類別", "Kind"),
    "articles.status": ("結果", "Status"),
    "articles.translation": ("譯文", "Translation"),
    "articles.post": ("發佈到 Instagram", "Post to Instagram"),
    "articles.caption": ("Instagram 說明文字", "Instagram caption"),
    "articles.posted": ("已發佈到 Instagram：媒體 ID {media_id}", "Posted to Instagram: media id {media_id}"),
    # Keeping accounts working: doctor, pause/resume/unblock, moderation (c10health).
    "nav.doctor": ("上線檢查", "Doctor"),
    "doctor.title": ("上線檢查", "Doctor: what going live needs"),
    "doctor.check": ("檢查", "Check"),
    "doctor.result": ("結果", "Result"),
    "doctor.fix": ("點樣修正", "Fix"),
    "doctor.all_ok": ("全部通過。", "All checks pass."),
    "doctor.failing": ("{count} 項需要修正。", "{count} check(s) need a fix."),
    "accounts.actions": ("操作", "Actions"),
    "accounts.pause": ("暫停", "Pause"),
    "accounts.resume": ("恢復", "Resume"),
    "accounts.unblock": ("解除封鎖", "Unblock"),
    "accounts.hide_spam_on": ("隱藏垃圾留言：開", "Hide spam: on"),
    "accounts.hide_spam_off": ("隱藏垃圾留言：關", "Hide spam: off"),
    "accounts.done": ("已完成：{action}。", "Done: {action}."),
    "replies.hidden": ("已隱藏", "Hidden"),
    "replies.unhide": ("取消隱藏", "Unhide"),
    "replies.unhidden": ("已取消隱藏", "Unhidden"),
}


def language_of(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE) or DEFAULT_LANGUAGE
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def translate(key: str, language: str, **values: object) -> str:
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if language == "en" else pair[0]
    return text.format(**values) if values else text


def translator(language: str) -> Callable[..., str]:
    """`t("key", name=value)` for templates, bound to one language."""

    def t(key: str, **values: object) -> str:
        return translate(key, language, **values)

    return t
