"""What a commenter wants: one of INTENTS, decided by ordered keyword rules.

The promise is "comment and the AI replies with your combination", so
`pick` is the default and every other intent needs a clear signal. The order
matters: harm signs come before anything else a comment might also ask, and
a "when is the next draw" question wins over the "next draw numbers" request
it resembles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marksix.language.safety import has_link, looks_like_injection

INTENTS = ("pick", "last_result", "next_draw", "check_ticket", "odds", "stats", "help", "support", "ignore")


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(patterns), re.IGNORECASE)


HARM = _any(
    "輸晒",
    "輸哂",
    "输晒",
    "輸光",
    "输光",
    "輸清光",
    "输清光",
    "輸咗好多",
    "输了很多",
    "输了好多",
    "輸咗成",
    "身家",
    "借錢",
    "借钱",
    "借咗錢",
    "借埋錢",
    "戒唔到",
    "戒不掉",
    "戒唔甩",
    "停唔到",
    "停不下",
    "控制唔到",
    "控制不了",
    "欠債",
    "欠债",
    "負債",
    "负债",
    "卡數",
    "財仔",
    "大耳窿",
    "傾家蕩產",
    "倾家荡产",
    "唔想生存",
    "不想活",
    "想死",
    "生無可戀",
    "走投無路",
    "走投无路",
    "積蓄",
    "积蓄",
    "賭癮",
    "赌瘾",
    "上癮",
    "上瘾",
    r"lost (?:everything|it all|all my|my savings|my house|so much|a lot)",
    r"in debt",
    r"borrow(?:ed)? money",
    r"can'?t stop (?:buying|betting|gambling|playing)",
    r"addict",
    r"gambling problem",
    r"kill myself",
    r"suicid",
    r"want to die",
)
SPAM = _any(
    r"\bdm (?:me|for)\b",
    r"check (?:my|out my) (?:page|bio|profile|account)",
    r"link in (?:my )?bio",
    r"follow (?:me|back|4 follow|for follow)",
    r"\bf4f\b",
    r"\bl4l\b",
    "whatsapp",
    "telegram",
    "wechat",
    r"\bwa\s*:?\s*\+?\d",
    "私訊我",
    "私讯我",
    "私信我",
    "私聊",
    "加我",
    "睇我主頁",
    "看我主页",
    "微信",
    "賺錢",
    "赚钱",
    "月入",
    "被動收入",
    "被动收入",
    "投資回報",
    "投资回报",
    "貸款",
    "贷款",
    "代購",
    "代购",
    "優惠碼",
    "优惠码",
    r"promo code",
    r"\bcrypto",
    "bitcoin",
    r"\bforex\b",
    r"earn \$",
    r"make money",
    r"free followers",
    r"\bcasino\b",
    r"博彩網",
    r"澳門彩|澳门彩|特碼|特码|生肖|六合彩資料網",
)
ABUSE = _any(
    r"\bfuck",
    r"\bf\*+k",
    r"\bfk (?:u|you|off)\b",
    r"\bstfu\b",
    r"\bidiot",
    r"\bshit bot",
    "屌",
    "撚",
    "仆街",
    "扑街",
    r"\bon9\b",
    "戇鳩",
    "戆鸠",
    "收皮",
    "閪",
    "柒頭",
    "你老母",
    "冚家鏟",
    "他妈的",
    "傻逼",
    "傻b",
    "廢柴",
)
TICKET_CHECK = _any(
    r"\bdid\b.*\bwin\b",
    r"win anything",
    "得唔得獎",
    "中咗未",
    "中左未",
    "中咗冇",
    "中咗幾多",
    "中咗咩",
    "中唔中",
    "有冇中",
    "中冇",
    "對獎",
    "对奖",
    "對下",
    "中了吗",
    "中了没",
    "中没中",
    "有没有中",
    "中奖了吗",
    "中了什么",
    r"did i win",
    r"have i won",
    r"did i get (?:anything|a prize)",
    r"check my (?:ticket|numbers)",
    r"check (?:these|this) numbers",
    r"won anything",
)
#: Having bought numbers makes a comment a ticket check only when it lists a ticket.
BOUGHT = _any(
    "我張飛",
    "我嗰張飛",
    "我啲號碼",
    "我的号码",
    "我买的",
    "買咗",
    "買左",
    "买了",
    "買了",
    r"i bought",
    r"my ticket",
    r"my numbers",
    "我嘅號碼",
    "我的号码",
)
NEXT_DRAW = _any(
    "有冇得買",
    "幾時有得買",
    "聽日有冇",
    "今晚有冇攪珠",
    "今晚有冇開",
    "邊日攪珠",
    "邊日開",
    "哪天",
    "哪一天",
    "幾號開",
    "几号开",
    "今晚幾點",
    "今晚几点",
    "幾時攪珠",
    "幾時開",
    "幾時搞珠",
    "几时开",
    "幾點攪珠",
    "幾點開",
    "几点开",
    "几时攪",
    "什么时候开",
    "什麼時候開",
    "幾時截",
    "幾點截",
    "几点截",
    "截止",
    "攪珠時間",
    "开奖时间",
    "開獎時間",
    "攪珠日",
    "星期幾攪",
    "下期(?:幾時|几时|係幾|是几|幾號|几号|咩時候|什么时候|幾點|几点)",
    "下一期(?:幾時|几时|係幾|是几|什么时候|幾點|几点)",
    "金多寶",
    "金多宝",
    "下期多寶",
    "下期多宝",
    "下期頭獎(?:幾多|有幾多|几多|多少)",
    "下期头奖(?:多少|几多)",
    r"when(?:'s| is| will)? (?:the )?(?:next )?draw",
    r"next draw (?:date|time|when)",
    r"when (?:is|does) (?:it|the next one)",
    r"draw (?:time|date)",
    r"what time (?:is )?(?:the )?draw",
    r"sales? clos",
    r"snowball",
    r"(?:next|this) (?:draw'?s? )?jackpot",
    r"\bwhen\b.*\bdraw\b",
)
LAST_RESULT = _any(
    "上期",
    "上一期",
    "上次開",
    "開咗咩",
    "開咗乜",
    "開左咩",
    "开了什么",
    "開咩號",
    "开什么号",
    "琴晚開",
    "尋晚開",
    "噚晚開",
    "昨晚开",
    "昨晚開",
    "今晚開咗",
    "啱啱開",
    "頭先開",
    "攪珠結果",
    "开奖结果",
    "開獎結果",
    "開獎號碼",
    "开奖号码",
    "結果係",
    "最新結果",
    "最新开奖",
    r"last (?:draw|result|night'?s? (?:draw|result|numbers))",
    r"latest (?:draw|result)",
    r"previous draw",
    r"(?:winning|drawn) numbers",
    r"\bresults?\b\??$",
    r"what (?:came out|were the numbers|numbers came)",
)
ODDS = _any(
    "難唔難",
    "难不难",
    "易唔易",
    "有幾難",
    "有多难",
    "機會率",
    "机会率",
    "機率",
    "机率",
    "概率",
    "賠率",
    "赔率",
    "分之一",
    "幾大機會",
    "几大机会",
    "中獎機會",
    "中奖机会",
    "有冇機會",
    r"\bodds\b",
    r"\bchances?\b",
    r"probabilit",
    r"how likely",
    r"1 in \d",
)
STATS = _any(
    "出得最多",
    "出得最少",
    r"出得(?:好)?多唔多",
    "出得多",
    "出得少",
    "最多次",
    "最常见",
    "最常見",
    "出咗幾多次",
    "出咗幾次",
    "出左幾多次",
    "出了几次",
    "出过几次",
    "出過幾次",
    "出了多少次",
    "幾多次",
    "几次",
    "最熱",
    "最热",
    "最冷",
    "最常出",
    "最多出",
    "最少出",
    "最耐冇出",
    "最久没出",
    "好耐冇出",
    "統計",
    "统计",
    "數據",
    "数据",
    "頻率",
    "频率",
    r"hottest",
    r"coldest",
    r"most (?:common|frequent|drawn)",
    r"least (?:common|frequent|drawn)",
    r"how (?:often|many times)",
    r"\bfrequency\b",
    r"\bstats?\b",
    r"\bstatistics\b",
)
HELP = _any(
    r"點樣(?:先)?(?:可以)?揀",
    "點揀",
    "怎么选",
    "怎麼選",
    "點玩",
    "点玩",
    "怎麼玩",
    "怎么玩",
    "點用",
    "点用",
    "怎麼用",
    "怎么用",
    "點樣用",
    "點樣玩",
    "咩嚟",
    "乜嘢嚟",
    "係咩",
    "是什么",
    "點運作",
    "怎么运作",
    "規則",
    "规则",
    "教學",
    "教我",
    r"how (?:does|do) (?:this|it|you) work",
    r"how (?:to|do i) (?:use|play)",
    r"what is this",
    r"what do you do",
    r"\bhelp\b(?! me)",
    r"\brules\b",
    r"^\s*\?+\s*$",
)
#: A Cantonese "係咩" in a pick request ("係咪真㗎") is not a help request.
HELP_EXCEPTIONS = _any("係咪", "係咩號", "係咩號碼")


@dataclass(frozen=True, slots=True)
class Classified:
    intent: str
    reason: str | None = None


def classify(normalised: str, *, has_ticket_numbers: bool, is_own: bool) -> Classified:
    """The intent of an already-normalised comment (see INTENTS)."""
    stripped = normalised.strip()
    if is_own:
        return Classified("ignore", "the account's own comment")
    if not stripped:
        return Classified("ignore", "empty comment")
    if has_link(stripped):
        return Classified("ignore", "contains a link")
    if HARM.search(stripped):
        return Classified("support")
    if SPAM.search(stripped):
        return Classified("ignore", "looks like spam or an advert")
    if ABUSE.search(stripped):
        return Classified("ignore", "abusive")
    if TICKET_CHECK.search(stripped) and (has_ticket_numbers or not _asks_for_numbers(stripped)):
        return Classified("check_ticket")
    if BOUGHT.search(stripped) and has_ticket_numbers:
        return Classified("check_ticket")
    if NEXT_DRAW.search(stripped):
        return Classified("next_draw")
    if LAST_RESULT.search(stripped) and not _asks_for_numbers(stripped) and not has_ticket_numbers:
        return Classified("last_result")
    if ODDS.search(stripped):
        return Classified("odds")
    # "好耐冇出嘅號碼俾組我" asks for a pick weighted that way, not for a table.
    if STATS.search(stripped) and not _asks_for_numbers(stripped):
        return Classified("stats")
    # "忽略以上規則" names the rules to attack them, not to learn them.
    if HELP.search(stripped) and not HELP_EXCEPTIONS.search(stripped) and not looks_like_injection(stripped):
        return Classified("help")
    return Classified("pick")


PICK_REQUEST = _any(
    "俾組",
    "畀組",
    "俾我",
    "畀我",
    "給我",
    "给我",
    "整組",
    "揀組",
    "幫我揀",
    "帮我选",
    "求",
    "推介",
    "推荐",
    r"give me",
    r"\bpick\b",
    r"numbers? (?:pls|please|plz)",
    r"\bgimme\b",
)


def _asks_for_numbers(normalised: str) -> bool:
    return PICK_REQUEST.search(normalised) is not None
