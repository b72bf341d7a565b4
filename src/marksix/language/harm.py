"""Signs of gambling harm, read by concept rather than by set phrase.

Missing one is the worst mistake the bot can make: the person gets numbers
instead of the help line. So harm is checked before every other intent, and
a pick request in the same comment never outweighs it.

A comment shows harm when it has one strong sign (can't stop, chasing losses,
borrowing or debt to play, despair), or two weaker signs that together mean
harm: a loss and what was lost ("輸到冇錢交租", "lost my rent"), spending and
a livelihood ("spent my whole salary"), a loss and repetition ("又輸"), family
anger ("老婆嬲到要走"). Each sign is a family of words:

- Chinese families are written once in Traditional characters; a comment is
  read in Traditional (OpenCC) too, so Simplified spellings match the same
  family without a second list.
- English families are stemmed (`english.stem`): "lose", "losing", "lost"
  are one word, and long words survive a typo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marksix.language.detect import to_traditional
from marksix.language.english import Phrases, stems


def _cjk(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts))


# --- strong signs: one is enough --------------------------------------------
CJK_STRONG = _cjk(
    # can't stop, can't quit, hooked
    r"停唔到|停唔落|停唔低|停不下|停不了|戒唔到|戒唔甩|戒唔掉|戒不了|戒不掉|戒賭|戒掉|想戒|點戒|怎麼戒|點樣戒",
    r"控制唔到|控制唔住|控制不住|控制不了|自控|上癮|成癮|沉迷|賭癮|爛賭|忍(?:唔|不)(?:住|到)",
    # playing to escape a mood
    r"(?:心情差|心情不好|唔開心|不開心|壓力大|好煩)[^，,。！!？?]{0,3}(?:就)?(?:去)?買",
    r"收手|收唔到手|收唔到|收不了|收不住|唔買唔安樂|不買不舒服",
    # escalation ("越輸越想買") and preoccupation
    r"越(?:輸|買|賭|蝕|虧)越|成日諗住|整天想|每天都在想|滿腦子|日諗夜諗",
    # craving when not playing, and the promise of a last time
    r"(?:唔|不)買[^，,。！!？?]{0,3}(?:心郁郁|唔舒服|唔安樂|難受|不舒服|心癢|周身唔自在)|手痕|心癢|心郁郁",
    r"(?:講|話|說)[^，,。！!？?]{0,4}最後(?:一期|一次|一舖|一鋪)|輸唔起|輸不起",
    r"(?:上班|返工|工作|開工|瞓覺|睡覺|食飯)[^，,。！!？?]{0,3}(?:都|也)(?:在|喺度)?(?:想|諗)",
    # chasing losses
    r"追數|追番|追返|追回|追輸|翻本|回本|翻身|贏番|贏返|贏回|撈番|撈返|拿回來|賺回|搏番|搏返|搏翻",
    # borrowing, debt, or selling what the household owns, to play
    r"借(?:咗|了|左|埋|過|的)?(?:錢|貸|債|款)|(?:問|向|跟|同|找)[^，,。！!？?]{0,6}借",
    r"借(?:咗|了|左|埋|過|遍|勻|盡)",
    r"網貸|高利貸|財仔|大耳窿|花唄|借唄|套現|碌爆|刷爆|碌卡|信用卡|卡數|透支|典當|按(?:咗|了)(?:樓|屋|車)",
    r"欠(?:咗|了|落|下)?[^，,。！!？?]{0,6}(?:錢|債|數)|負債|欠債|債務|還唔到|還唔起|還不起|還不上|還唔清",
    r"還不了|周轉唔到|周轉不靈|破產|還錢|還債",
    # money taken from the household or from others
    r"偷(?:咗|了|左)?[^，,。！!？?]{0,6}錢|錢本來|(?:冇|沒|唔)(?:俾|給|交|畀)[^，,。！!？?]{0,3}(?:家用|家(?:裡|裏)錢|屋企錢|生活費)",
    r"賣(?:咗|了|埋|掉)?(?:架|部|層|間)?(?:車|樓|屋|房|首飾|金器|手錶)|(?:車|樓|屋|房子|首飾)[^，,。！!？?]{0,3}賣",
    # despair
    r"想死|唔想生存|不想活|活不下去|生無可戀|走投無路|一無所有|傾家蕩產|家散人亡|家破人亡|妻離子散",
    r"跳樓|自殺|輕生",
)
EN_STRONG = Phrases.of(
    "cannot stop|cannot quit|unable to stop|stop gambling|quit gambling|how do i stop|want to quit",
    "need to quit|need to stop|addict|compulsive|hooked|obsessed|cannot control|no control",
    "cannot help myself|swear stop|promise stop|try to stop|try to quit|in too deep|too deep",
    "take over my life|ruin my life|destroy my life|the more i lose|tell myself|pay back",
    "credit score|credit rating|debt collector|collection agency|bailiff|money i do not have",
    "money we do not have",
    "gambling problem|problem gambling|out of control|out of hand|my gambling|steal|stole|embezzl",
    "more than i earn|more than i make|more than i can afford|only thing i think|all i think about",
    "chase loss|win back|get it back|get money back|make back|recover loss|recoup",
    "borrow|loan|payday|max out|credit card|pawn|in debt|debt|bankrupt|broke|cannot pay|cannot afford",
    "sell my car|sell my house|sell car|sell house|sell jewel|sell my stuff",
    "lost everything|lose everything|gamble away",
    "kill myself|want to die|suicide|suicidal|end it all|no way out",
)

# --- weak signs: two from families that belong together ---------------------
LOSS, SPEND, LIVELIHOOD, ALL, AMOUNT, REPEAT, GAMBLING, OWE, DISTRESS, CAUSE, CONFLICT = (
    "loss",
    "spend",
    "livelihood",
    "all",
    "amount",
    "repeat",
    "gambling",
    "owe",
    "distress",
    "cause",
    "conflict",
)
#: Which pairs of weak signs mean harm (read both ways). Family conflict is enough alone.
PAIRS = {
    LOSS: {LIVELIHOOD, ALL, AMOUNT, REPEAT, DISTRESS, GAMBLING, OWE},
    SPEND: {LIVELIHOOD, ALL, AMOUNT},
    LIVELIHOOD: {ALL, AMOUNT, DISTRESS, GAMBLING, OWE},
    GAMBLING: {ALL, AMOUNT, DISTRESS, REPEAT, OWE},
    REPEAT: {AMOUNT, DISTRESS},
    OWE: {AMOUNT, DISTRESS},
    # "because of this": the game named as the reason for a loss or a hardship
    CAUSE: {LOSS, LIVELIHOOD, ALL, OWE, DISTRESS},
}
FAMILY = (
    r"老婆|老公|太太|丈夫|妻子|屋企|家人|家裡|家中|阿媽|媽媽|老媽|老豆|爸爸|老爸|我爸|我媽|父母"
    r"|仔女|子女|孩子|女朋友|男朋友|另一半|個仔|個女|兒子|女兒"
)
ANGER = (
    r"嬲|鬧|吵|離婚|唔理|不理|唔同我講|不跟我說|趕(?:我)?走|趕出|要走|分手|發現|罵|失望|生氣|發火|翻臉|嫌棄"
    # hiding it from the family is a sign too ("老婆唔知", "瞞住屋企人")
    r"|唔知|不知道|瞞|收埋|偷偷|背著|唔認|不認|斷絕"
    # an ultimatum: "再買就..."
    r"|再(?:買|賭)[^，,。！!？?]{0,2}就"
)
CJK_WEAK = {
    LOSS: _cjk(r"輸(?!出|入)|虧|蝕|敗光|損失|賠光"),
    SPEND: _cjk(
        r"(?:拿|攞|拎|用|花|洗)[^，,。！!？?]{0,8}(?:來|嚟|去)買|全部[^，,。！!？?]{0,4}買",
        r"(?:擺|入|放|掟|投)(?:咗|了)?[^，,。！!？?]{0,8}落去",
        r"(?:買|用|花|洗|賭|押)(?:晒|哂|曬|光|清|空|埋)",
        r"(?:把|將)[^，,。！!？?]{0,10}(?:買|輸|賭|押)|投(?:咗|了|入|落)|砸(?:咗|了)?",
    ),
    LIVELIHOOD: _cjk(
        r"人工|糧|工資|薪水|薪金|租|房貸|按揭|供樓|學費|家用|積蓄|儲蓄|身家|老本|棺材本|生活費|飯錢|奶粉錢",
        r"(?:公司|屋企|家裡|家裏|阿媽|老婆|老公)(?:啲|的)?錢|退休|強積金|首期|首付|私房錢|養老",
    ),
    ALL: _cjk(
        r"(?:輸|用|花|洗|賭|蝕|虧)(?:晒|哂|曬|光|清|空|埋)|全部|所有|成(?:個月|副|份|身)|統統|輸到|一半|大半",
        r"冇咗|沒了|不見了|蒸發",
    ),
    AMOUNT: _cjk(
        r"\d+\s*(?:萬|千|k\b)|[幾十百千兩三四五六七八九]+(?:萬|千)",
        r"好多|很多|咁多|這麼多|那麼多|大筆|成千|上萬|輸到",
    ),
    REPEAT: _cjk(
        r"又|再|次次|每期|每次|每日|每天|日日|天天|成日|不停|一直|經常|連續|半年|成年|幾個月",
        r"仲(?:係度|喺度|要)?買|還在買|照買|淨係|只會|總是|永遠",
    ),
    GAMBLING: _cjk(r"賭|落注|下注|賭鬼"),
    CAUSE: _cjk(
        r"因為(?:買|賭|六合彩|彩票)|為咗買|為了買",
        r"(?:六合彩|彩票|買飛)[^，,。！!？?]{0,3}(?:搞到|害到|害得|讓我|令我)",
    ),
    OWE: _cjk(r"欠"),
    DISTRESS: _cjk(
        r"點算|怎麼辦|怎麼活|點過|點交|點還|點同[^，,。！!？?]{0,4}講|怎麼跟[^，,。！!？?]{0,4}說|救命|失眠",
        r"瞓唔着|瞓唔著|睡不著|好驚|害怕|驚死|絕望|崩潰|頂唔順|受不了|唔知點|不知道怎麼|冇飯食|沒飯吃|喊|哭",
        r"最後希望|最後機會|一定要中|唔敢|不敢|瞞|偷偷|背著|指望|靠晒|就靠|冇米|沒米|開唔到飯|冇飯|沒飯",
    ),
    CONFLICT: _cjk(
        f"(?:{FAMILY})[^。！!？?]{{0,12}}(?:{ANGER})",
        f"(?:{ANGER})[^。！!？?]{{0,6}}(?:{FAMILY})",
    ),
}
EN_WEAK = {
    LOSS: Phrases.of("lose|loss|blow|waste|burn|throw away|sink"),
    SPEND: Phrases.of("spend|bet|cash|into ticket|on ticket|on lotto|on the lottery|on mark six"),
    LIVELIHOOD: Phrases.of(
        "rent|salary|paycheck|paycheque|wage|savings|mortgage|tuition|school money|our money|family money",
        "kids money|the kids|bill|grocery|pension|retirement|mpf",
    ),
    ALL: Phrases.of("whole|all|everything|entire|every cent|every penny"),
    AMOUNT: Phrases.of("thousand|grand|so much|a lot|fortune|too much|hundred|how much"),
    REPEAT: Phrases.of("keep|again|every draw|every week|every day|always|constantly|for months"),
    GAMBLING: Phrases.of("gambl|betting|wager"),
    OWE: Phrases.of("owe|owing"),
    CAUSE: Phrases.of(
        "because of this|because of the lottery|because of lotto|because of ticket|because i buy"
    ),
    DISTRESS: Phrases.of(
        "desperate|miracle|last hope|last chance|scared|panic|depressed|cannot sleep|ruin|what do i do",
        "what should i do|need win|need this win|hide|secret|behind back|lie to|no food|nothing to eat",
        "cannot focus|cannot concentrate|cannot think|hungry",
    ),
}
EN_FAMILY = Phrases.of("wife|husband|family|mum|mom|dad|parent|partner|girlfriend|boyfriend|gf|bf|kid")
EN_ANGER = Phrases.of(
    "furious|angry|mad|yell|shout|divorce|leave me|kick out|found out|hide|fight|not know|lie|found|cry",
    "upset|disappoint",
)
EN_MONEY = re.compile(r"\$\s?\d{3,}|\b\d+\s?k\b|\b\d{4,}\b")
#: "down 20k", "down $3000": a loss written as a balance.
EN_DOWN = re.compile(r"\bdown\s*(?:hk)?\$?\s?\d")
#: "lost by one number" is a near miss, not a loss of money.
NEAR_MISS = re.compile(r"\b(?:lost|lose|losing) by\b")
#: Courtesy words built from the same characters as "all" ("唔該晒" is thanks).
COURTESY = re.compile(r"唔該晒|唔該哂|多謝晒|多謝哂|謝晒|麻煩晒")


@dataclass(frozen=True, slots=True)
class HarmSigns:
    strong: bool
    weak: frozenset[str]

    @property
    def shows_harm(self) -> bool:
        if self.strong or CONFLICT in self.weak:
            return True
        return any(self.weak & PAIRS.get(sign, set()) for sign in self.weak)


def harm_signs(normalised: str) -> HarmSigns:
    """The harm signs in an already-normalised comment (see the module docstring)."""
    # The comment as written and in Traditional: OpenCC also rewrites some
    # Traditional text ("心郁郁" -> "心鬱鬱"), so both are read.
    chinese = tuple(COURTESY.sub(" ", text) for text in _as_written_and_traditional(normalised))
    if any(CJK_STRONG.search(text) for text in chinese):
        return HarmSigns(True, frozenset())
    words = stems(NEAR_MISS.sub(" ", normalised))
    if EN_STRONG.found_in(words):
        return HarmSigns(True, frozenset())
    weak = {sign for sign, pattern in CJK_WEAK.items() if any(pattern.search(text) for text in chinese)}
    weak |= {sign for sign, phrases in EN_WEAK.items() if phrases.found_in(words)}
    if EN_DOWN.search(normalised):
        weak.add(LOSS)
    if EN_MONEY.search(normalised):
        weak.add(AMOUNT)
    if EN_FAMILY.found_in(words) and EN_ANGER.found_in(words):
        weak.add(CONFLICT)
    return HarmSigns(False, frozenset(weak))


def shows_harm(normalised: str) -> bool:
    return harm_signs(normalised).shows_harm


def _as_written_and_traditional(normalised: str) -> tuple[str, ...]:
    # Only text with Chinese characters needs converting; English comments skip OpenCC.
    if not any("\u3400" <= char <= "\u9fff" for char in normalised):
        return (normalised,)
    traditional = to_traditional(normalised)
    return (normalised,) if traditional == normalised else (normalised, traditional)
