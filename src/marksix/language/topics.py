"""The finer topic of a comment, and the safety screen that runs before any intent.

The screen is deterministic and cannot be overridden by anything else a
comment asks: crisis talk and a commenter under 18 never get numbers, a
family member's gambling and loan sharks get support wording, a guarantee
ask gets a plain no, and "are you a bot / a scam / official?" gets the
truth. Each topic sits under one of the nine intents (`TOPIC_INTENT`), so
scripts reading `intent` keep working.

Crisis patterns err on the side of the crisis lines: a false alarm costs a
warm message, a miss can cost a life.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marksix.language.numerals import chinese_to_int

ADULT_AGE = 18

#: topic -> the intent it is reported under.
TOPIC_INTENT = {
    "crisis": "support",
    "minor": "support",
    "family": "support",
    "debt": "support",
    "guarantee": "odds",
    "bot": "help",
    "stop": "help",
    "thanks": "help",
    "greeting": "help",
    "tag": "help",
    "price": "help",
    "free": "help",
    "follow": "help",
    "unclear": "help",
    "prize_amount": "help",
    "number_gap": "stats",
    "number_frequency": "stats",
    "number_hot": "stats",
    "jackpot": "next_draw",
    "draw_today": "next_draw",
    "multiple_odds": "odds",
    "tier_odds": "odds",
    "window": "stats",
    "extra_number": "stats",
}

CRISIS = re.compile(
    "|".join(
        (
            r"想死|好想死|(?<!你)(?<!佢)去死|唔想(?:再)?(?:活|生存)|不想(?:再)?活|活唔落去|活不下去|唔想做人",
            r"自殺|自杀|輕生|轻生|跳樓|跳楼|跳落去|跳海|燒炭|烧炭|割脈|割腕|了結自己|了结自己|結束自己|结束自己",
            r"結束生命|结束生命|死咗會好|死了算|死(?:咗|左)佢算|生無可戀|生无可恋|唔想再生存|不如死|一死了之",
            r"\bkms\b|kill (?:my ?self|me)\b|end (?:it|my life)\b|ending (?:it|my life)|want(?:ing)? to die",
            r"wanna die|suicid|sucide|don'?t want to (?:live|be alive)|no reason to (?:keep )?liv",
            r"(?:disappear|dissapear|disapear) forever|not worth living|self[- ]?harm|hurt myself|cut myself",
            r"better off dead|take my (?:own )?life",
        )
    ),
    re.IGNORECASE,
)
#: "我17歲", "我今年16岁": the commenter's own age (not "我16歲個仔").
OWN_AGE = re.compile(
    r"(?:我|本人|i'?m|i am)\s*(?:今年|而家|已經|已经|才|只有|得|only|just)?\s*"
    r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:歲|岁|yo\b|y/o|years? old)?"
    r"(?!\s*(?:嘅|的)?\s*(?:個仔|個女|仔|女|兒子|儿子|女兒|女儿|孩子|細路|细路|囡|號|号|%|k\b|萬|万))",
    re.IGNORECASE,
)
AGE_WORD = re.compile(r"歲|岁|\byo\b|y/o|years? old|\bi'?m\b|\bi am\b", re.IGNORECASE)
MINOR_WORDS = re.compile(
    r"未成年|中[一二三四五六1-6]學生|中[一二三四五六1-6]学生|中學生|中学生|高中生|初中生|小學生|小学生"
    r"|underage|under 18|not 18 yet|high ?school (?:student|kid)|\bi'?m a (?:teen|student in high school)",
    re.IGNORECASE,
)
FAMILY_GAMBLING = re.compile(
    r"(?:老豆|老竇|爸爸|我爸|老爸|阿爸|阿媽|媽媽|我媽|老媽|老公|老婆|丈夫|太太|兒子|儿子|個仔|女兒|細佬|哥哥|家姐|弟弟|家人)"
    r"[^。！!？?]{0,14}(?:日日買|天天买|天天買|沉迷|賭|赌|上癮|上瘾|欠)"
    r"|\bmy (?:dad|father|mum|mom|mother|husband|wife|brother|sister|son|daughter|partner)\b[^.!?]{0,40}"
    r"(?:gambl|addict|all his|all her|pension|savings|hides|every week|every day)",
    re.IGNORECASE,
)
DEBT = re.compile(
    r"大耳窿|財仔|财仔|高利貸|高利贷|網貸|网贷|卡數|卡数|追數|追数"
    r"|loan shark|payday loan|in debt|\d+k in debt",
    re.IGNORECASE,
)
GUARANTEE = re.compile(
    r"必中|包中|穩中|稳中|一定中|保證中|保证中|保證.{0,3}中|保证.{0,3}中|肯定中|包贏|包赢|必勝|必胜"
    r"|guarantee|sure[- ]?win|definitely win|100% win|will win for sure|can'?t lose|winning numbers for sure",
    re.IGNORECASE,
)
BOT = re.compile(
    r"(?:你|呢個|这个|呢度)?(?:係咪|系咪|是不是|是|係)\s*(?:ai|機械人|机器人|機器人|bot|真人|程式|程序)"
    r"|真人(?:定|還是|还是|覆|回)|(?:ai|機械人|机器人|bot)(?:定|還是|还是)真人|人手覆"
    r"|呃人|騙局|骗局|騙子|骗子|詐騙|诈骗|(?:係咪|是不是|是|係)\s*(?:馬會|马会)?官方"
    r"|\bscam\b|\blegit\b|real person|are (?:u|you) (?:real|human|a bot|an ai|a robot|ai)\b|a human"
    r"|(?:is this|are you) (?:a |an )?(?:bot|ai|robot|official)\b|official account|hkjc'?s? (?:own )?account",
    re.IGNORECASE,
)
STOP = re.compile(
    r"唔使再(?:覆|回)|唔好再(?:覆|回|tag)|停止回覆|別再回|别再回|不要再回|唔該唔好再"
    r"|stop replying|don'?t reply|do not reply|stop (?:commenting|messaging)|leave me alone",
    re.IGNORECASE,
)
THANKS = re.compile(
    r"^\W*(?:多謝|多谢|唔該|唔该|謝謝|谢谢|感謝|感谢|感恩|thx|thanks|thank you|ty|cheers|tks)",
    re.IGNORECASE,
)
GREETING = re.compile(
    r"^\W*(?:早晨|早安|你好|您好|大家好|哈囉|哈佬|hello|hi|hey|yo"
    r"|good (?:morning|afternoon|evening))(?:\b|$)",
    re.IGNORECASE,
)
PRICE = re.compile(
    r"幾錢|几钱|幾多錢|多少钱|多少錢|要幾多|價錢|价钱"
    r"|how much (?:is|does|for) (?:a|an|one|the)? ?(?:\d+ number )?"
    r"(?:ticket|entry|line|multiple|bet)|cost of a ticket|ticket price",
    re.IGNORECASE,
)
PRIZE_WORDS = re.compile(r"獎|奖|prize|get for", re.IGNORECASE)
FREE = re.compile(
    r"使唔使錢|要唔要俾錢|免費|免费|收費|收费|要錢|要钱|\bfree\b|have to pay|need to pay|cost anything",
    re.IGNORECASE,
)
FOLLOW = re.compile(
    r"follow|追蹤|追踪|關注|关注|讚好|赞好|like (?:the|this) post|have to like|need to like", re.IGNORECASE
)
TAG_ONLY = re.compile(r"^\s*(?:@[a-z0-9._]+\s*)+(?:\S{0,20})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Screened:
    topic: str

    @property
    def intent(self) -> str:
        return TOPIC_INTENT[self.topic]


def _age(text: str) -> int | None:
    value = int(text) if text.isdigit() else chinese_to_int(text)
    return value


def says_under_age(normalised: str) -> bool:
    """True when the commenter says they are under 18 ("我17歲", "I'm 16", 中三學生)."""
    if MINOR_WORDS.search(normalised):
        return True
    if not AGE_WORD.search(normalised):
        return False
    for match in OWN_AGE.finditer(normalised):
        age = _age(match.group(1))
        written_as_age = bool(re.search(r"歲|岁|yo|y/o|year", match.group(0), re.IGNORECASE))
        english_im = re.match(r"i'?m|i am", match.group(0), re.IGNORECASE) is not None
        if age is not None and 5 <= age < ADULT_AGE and (written_as_age or english_im):
            return True
    return False


def safety_screen(normalised: str, *, steering: bool = False) -> Screened | None:
    """The safety topic of a comment, read before any intent; None when none applies.

    `steering`: the comment tries to steer a model ("扮演必中大師"); its guarantee
    and bot words are part of the attack, so only the harm topics are read.
    """
    if CRISIS.search(normalised):
        return Screened("crisis")
    if says_under_age(normalised):
        return Screened("minor")
    if FAMILY_GAMBLING.search(normalised):
        return Screened("family")
    if DEBT.search(normalised):
        return Screened("debt")
    if steering:
        return None
    if GUARANTEE.search(normalised):
        return Screened("guarantee")
    if BOT.search(normalised):
        return Screened("bot")
    if STOP.search(normalised):
        return Screened("stop")
    return None


def courtesy_topic(normalised: str) -> str | None:
    """thanks, greeting or tag for a short comment that asks nothing else."""
    if len(normalised) > 40:
        return None
    if THANKS.search(normalised):
        return "thanks"
    if TAG_ONLY.match(normalised):
        return "tag"
    if GREETING.search(normalised) and not re.search(r"號|号|number|pick", normalised):
        return "greeting"
    return None


def question_topic(normalised: str) -> str | None:
    """price, free or follow: questions about the game or the account, not a pick."""
    if PRICE.search(normalised) and not PRIZE_WORDS.search(normalised):
        return "price"
    if FREE.search(normalised):
        return "free"
    if FOLLOW.search(normalised) and re.search(r"[?？]|唔|吗|嗎|do i|need|have to", normalised):
        return "follow"
    return None


# --- questions with their own answer, read before a number in them becomes a pick ---
#: "23號幾耐冇出", "how long since 23 came up", "is 23 overdue?"
NUMBER_GAP_ASK = re.compile(
    r"(?:幾|几)(?:耐|久)(?:都)?(?:冇|無|没|沒|未|唔)(?:有)?(?:出|開|开)|多久(?:都)?(?:没|沒|未|冇)(?:有)?(?:出|开|開)"
    r"|(?:幾多|几多|多少|幾|几)期(?:都)?(?:冇|無|没|沒|未)(?:有)?(?:出|开|開)|好耐(?:冇|無|未|没)(?:出|開|开)|好久(?:没|沒|未)(?:出|开|開)"
    r"|上(?:一)?次(?:係)?(?:幾時|几时|咩時候|什么时候|什麼時候|哪期|邊期)|最後一次(?:出|開)|最后一次(?:出|开)"
    r"|how long (?:since|has it been)|when (?:did|was) (?:number )?\d+ last"
    r"|\bgaps?\b|(?:draws|games) since|since (?:number )?\d+ (?:last )?(?:came|appeared|was drawn|showed)"
    r"|last (?:came|come|drawn|appeared|seen|showed)"
    r"|(?:hasn'?t|has not|haven'?t) (?:come|came|been drawn|shown|appeared)"
    r"|is (?:number )?\d+ (?:due|overdue)",
    re.IGNORECASE,
)
#: "7號出咗幾多次", "how many times has 7 come up"
NUMBER_FREQUENCY_ASK = re.compile(
    r"(?:出|開|开)(?:咗|左|過|过|了|现过|現過|现|現)?(?:幾多|几多|多少|幾|几)(?:次|回)|(?:幾多|几多|多少)次"
    r"|how many times|how often|frequency of|times has \d+",
    re.IGNORECASE,
)
#: "8號係咪熱門", "is 8 a hot number"
NUMBER_HOT_ASK = re.compile(
    r"熱唔熱|冷唔冷|热不热|冷不冷|(?:係咪|系咪|是不是|是否|算唔算|算不算)\s*(?:好|很)?\s*(?:熱|热|冷)"
    r"|(?:熱|热|冷)(?:號|号|門|门)?\s*(?:嚟|黎|來|来)?\s*(?:㗎|嗎|吗|架|呀)"
    r"|hot or cold|cold or hot|is (?:number )?\d+ (?:a |still )?(?:hot|cold)|\d+ (?:hot|cold)\s*\?",
    re.IGNORECASE,
)
#: "四獎幾多錢", "how much is the 7th prize", "中三個號有幾多錢"
PRIZE_TIER = re.compile(
    r"[二三四五六七](?:獎|奖|等獎|等奖)|\b(?:2nd|3rd|[4-7]th|second|third|fourth|fifth|sixth|seventh) prize"
    r"|固定(?:獎金|奖金)|fixed prizes?|中\s*[三四五3-5]\s*(?:個|个)\s*(?:號|号|字|number)?",
    re.IGNORECASE,
)
PRIZE_AMOUNT_ASK = re.compile(
    r"幾多錢|几多钱|多少钱|多少錢|幾錢|几钱|派幾多|派多少|有幾多|有多少|獎金|奖金"
    r"|how much|what do (?:i|you) get|pays?\b|payout|worth|amount",
    re.IGNORECASE,
)
#: "複式會唔會易中啲", "does a multiple improve my chance"
MULTIPLE_ASK = re.compile(r"複式|复式|膽拖|胆拖|\bmultiple\b|\bbankers?\b", re.IGNORECASE)
CHANCE_WORDS = re.compile(
    r"機會|机会|機率|机率|幾率|几率|概率|易中|容易|易啲|高啲|大啲|多啲|chance|odds|likel|improve|better|increase",
    re.IGNORECASE,
)
#: "下期頭獎幾多", "金多寶有幾大", "how big is the jackpot"
JACKPOT_WORDS = re.compile(
    r"頭獎|头奖|金多寶|金多宝|多寶|多宝|jackpot|snowball|first prize fund", re.IGNORECASE
)
JACKPOT_ASK = re.compile(
    r"幾多|几多|多少|幾錢|几钱|幾大|几大|有幾|幾億|几亿|幾千萬|几千万|累積|累积|滾存|滚存"
    r"|how much|how big|how large|\bsize\b|estimat|預計|预计|roll ?over|worth",
    re.IGNORECASE,
)
JACKPOT_NOT = re.compile(
    r"機會|机会|機率|机率|幾率|几率|概率|chance|odds|上期|上一期|上次|琴晚|昨晚|last (?:draw|night|time)"
    r"|who won|有冇人中|有人中|冇人中|有没有人中|號碼|号码|numbers?\b|\bpick",
    re.IGNORECASE,
)
#: "今晚有冇攪珠", "is there a draw tonight", "今日開唔開"
TODAY_WORDS = re.compile(r"今日|今晚|今天|今夜|today|tonight", re.IGNORECASE)
DRAW_TODAY_ASK = re.compile(
    r"攪珠|搞珠|开奖|開獎|攪唔攪|搞唔搞|開唔開|开不开|开吗|開嗎|有冇得買|有没有得买|開咗未|开了没|攪咗未|出咗未|出了没"
    r"|\bdraws?\b|\bresults? (?:out|yet)",
    re.IGNORECASE,
)


def number_topic(normalised: str, ball_count: int) -> str | None:
    """number_gap, number_frequency or number_hot: a question about one to three named numbers."""
    if not 1 <= ball_count <= 3:
        return None
    if NUMBER_GAP_ASK.search(normalised):
        return "number_gap"
    if NUMBER_HOT_ASK.search(normalised):
        return "number_hot"
    if NUMBER_FREQUENCY_ASK.search(normalised):
        return "number_frequency"
    return None


def game_question_topic(normalised: str) -> str | None:
    """prize_amount, multiple_odds, jackpot or draw_today: questions that name no ball."""
    if PRIZE_TIER.search(normalised) and PRIZE_AMOUNT_ASK.search(normalised):
        return "prize_amount"
    if MULTIPLE_ASK.search(normalised) and CHANCE_WORDS.search(normalised):
        return "multiple_odds"
    jackpot_ask = JACKPOT_WORDS.search(normalised) and JACKPOT_ASK.search(normalised)
    if jackpot_ask and not JACKPOT_NOT.search(normalised):
        return "jackpot"
    if TODAY_WORDS.search(normalised) and DRAW_TODAY_ASK.search(normalised):
        return "draw_today"
    return None


# --- finer topics under the intents the rules already decide ----------------
ONE_NUMBER = re.compile(r"(?<!\d)(?:[1-9]|[1-4]\d)\s*(?:號|号)|\b(?:number )?(?:[1-9]|[1-4]\d)\b(?! draws)")
REFINEMENTS: dict[str, tuple[tuple[str, re.Pattern[str], bool], ...]] = {
    "stats": (
        ("extra_number", re.compile(r"特別號|特别号|\bextra\b|\bbonus\b", re.IGNORECASE), False),
        (
            "number_gap",
            re.compile(
                r"耐冇出|耐無出|久没|上次幾時|上次什么时候|冇出咗|last (?:come|came|drawn)|how long since"
            ),
            True,
        ),
        ("number_hot", re.compile(r"熱|热|冷|\bhot\b|\bcold\b"), True),
        ("number_frequency", re.compile(r"幾多次|几次|多少次|幾次|多唔多|how many times|how often"), True),
        (
            "window",
            re.compile(
                r"(?:近|最近|過去|过去)\s*\d+\s*期|今年|this year|last \d+ draws|\d+ draws", re.IGNORECASE
            ),
            False,
        ),
    ),
    "next_draw": (
        ("jackpot", re.compile(r"頭獎|头奖|金多寶|金多宝|獎金|奖金|jackpot|snowball", re.IGNORECASE), False),
        ("draw_today", re.compile(r"今日|今晚|今天|tonight|today", re.IGNORECASE), False),
    ),
    "odds": (
        ("multiple_odds", re.compile(r"複式|复式|膽拖|胆拖|multiple|banker", re.IGNORECASE), False),
        (
            "tier_odds",
            re.compile(
                r"[二三四五六七]獎|[二三四五六七]等奖|\b(?:2nd|3rd|[4-7]th|second|third|fourth|fifth|sixth|seventh)\b"
            ),
            False,
        ),
    ),
}


def refine_topic(intent: str, normalised: str) -> str:
    """The finer topic under an intent the rules decided (the intent's name when none fits)."""
    for topic, pattern, needs_number in REFINEMENTS.get(intent, ()):
        if pattern.search(normalised) and (not needs_number or ONE_NUMBER.search(normalised)):
            return topic
    return intent
