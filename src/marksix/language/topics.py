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
