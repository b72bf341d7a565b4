"""The words behind each intent, in Cantonese, Mandarin (both scripts) and English.

Each pattern is a regular-expression alternation over normalised text
(NFKC, lower case). `intents.classify` holds the order in which they are
tried, and matches each pattern against the comment in both scripts
(OpenCC), so a phrase written once in either script is enough. Signs of
gambling harm live apart, as concept families, in `harm`.

Add phrasings from comments_dev.jsonl, never from the held-out set; the
labelled corpus (tests/fixtures/comments.jsonl) guards every change.
"""

from __future__ import annotations

import re


def _alternatives(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts), re.IGNORECASE)


HARM = _alternatives(
    r"borrow(?:ed)? from|家里的钱|屋企啲錢|偷偷",
    r"忍不住|忍唔住|离婚|離婚",
    r"停唔落手|停不了手|唔好再買|不要再买|out of control|my gambling",
    r"首期|首付|信用卡|credit card|欠(?:咗|了)?.{0,8}(?:錢|钱|債|债)",
    r"win(?:ning)? it (?:all )?back|翻本|回本|追返|追回|追數",
    r"賭到|赌到|冇晒錢|冇哂錢|没钱了|還唔到|还不起|賣樓|房子都卖|屋都賣|chas\w* (?:my |the )?loss",
    r"\bbroke\b|can'?t pay|\bloan|\bdebt|欠(?:咗|了)?.{0,4}(?:錢|钱|債|债)|唔知點算|gambl\w* away",
    r"everything (?:we|i) (?:have|had|own)|lost (?:our|my) (?:home|savings|job)|輸錢停不下|输钱停不下|偷錢",
    r"偷钱|網貸|网贷|借貸|借了|借咗|用晒人工|成份人工|典當|rent money",
    r"spent (?:all )?my (?:rent|savings|salary|wages|pay)|pawn|輸晒|輸哂|输晒|輸光|输光|輸清光|输清光",
    r"輸咗好多|输了很多|输了好多|輸咗成|身家|借錢|借钱|借咗錢|借埋錢|戒唔到|戒不掉|戒唔甩|停唔到|停不下",
    r"控制唔到|控制不了|欠債|欠债|負債|负债|卡數|財仔|大耳窿|傾家蕩產|倾家荡产|唔想生存|不想活|想死",
    r"生無可戀|走投無路|走投无路|積蓄|积蓄|賭癮|赌瘾|上癮|上瘾",
    r"lost (?:everything|it all|all my|my savings|my house|so much|a lot)|in debt|borrow(?:ed)? money",
    r"can'?t stop (?:buying|betting|gambling|playing)|addict|gambling problem|kill myself|suicid",
    r"want to die",
)
SPAM = _alternatives(
    r"promote your|grow your (?:page|account)",
    r"睇我|看我主页|主页有|主頁有|快来看|快嚟睇|my ig\b",
    r"follow @|giveaway|兼職|兼职|日結|日结",
    r"联系我|聯絡我|聯繫我|contact me|代写|代寫|\bdiscounts?\b",
    r"link.{0,4}bio|睇波|buy (?:cheap )?(?:followers|likes)|(?:our|my) (?:site|website|shop|store)",
    r"\bmake (?:hk)?\$\s?\d|\bmake \d[\d,]{3,}|see (?:my )?(?:profile|bio)",
    r"earn \$?\d|message me|from home|領取|领取|內部資料|内部资料|內幕|内幕|\bdm (?:me|for)\b",
    r"check (?:my|out my) (?:page|bio|profile|account)|link in (?:my )?bio",
    r"follow (?:me|back|4 follow|for follow)|\bf4f\b|\bl4l\b|whatsapp|telegram|wechat|\bwa\s*:?\s*\+?\d",
    r"私訊我|私讯我|私信我|私聊|加我|睇我主頁|看我主页|微信|賺錢|赚钱|月入|被動收入|被动收入|投資回報",
    r"投资回报|貸款|贷款|代購|代购|優惠碼|优惠码|promo code|\bcrypto|bitcoin|\bforex\b|earn \$|make money",
    r"free followers|\bcasino\b|博彩網|澳門彩|澳门彩|特碼|特码|生肖|六合彩資料網",
    r"百家樂|百家乐|試玩|试玩|送你\s*\d|註冊|注册|彩金|返水",
    r"私我|pm我|inbox我|穩賺|稳赚|signals?\b",
)
ABUSE = _alternatives(
    r"shut up|閉嘴|收聲|闭嘴|\bf+ off\b|\bfk off|piss off|(?:total|such a|what a) scam|\bscammers?\b",
    r"\bclowns?\b|\bidiots?\b|on9",
    r"\brubbish\b|\btrash\b|\bcrap\b",
    r"\bstupid\b|\buseless\b|垃圾|廢物|废物|智障",
    r"\bfuck|\bf\*+k|\bfk (?:u|you|off)\b|\bstfu\b|\bidiot|\bshit bot|屌|撚|仆街|扑街|\bon9\b|戇鳩|戆鸠",
    r"收皮|閪|柒頭|你老母|冚家鏟|他妈的|傻逼|傻b|廢柴",
)
TICKET_CHECK = _alternatives(
    r"中奖了没|中獎了沒|中奖了吗|中獎了嗎|did i get anything",
    r"\bdid\b.*\bwin\b|win anything|得唔得獎|中咗未|中左未|中咗冇|中咗幾多|中咗咩|中唔中|有冇中|中冇|對獎",
    r"对奖|對下|中了吗|中了没|中没中|有没有中|中奖了吗|中了什么|did i win|have i won",
    r"did i get (?:anything|a prize)|check my (?:ticket|numbers)|check (?:these|this) numbers|won anything",
    r"對.{0,3}獎",
)
#: Having bought numbers makes a comment a ticket check only when it lists a ticket.
BOUGHT = _alternatives(
    r"my slip|i'?ve got|i got|i have",
    r"i played|我这注|我這注|这注|這注",
    r"我張飛|我嗰張飛|我啲號碼|我的号码|我买的|買咗|買左|买了|買了|i bought|my ticket|my numbers|我嘅號碼",
    r"我的号码",
)
#: With a whole ticket of numbers, these words make it a check.
CHECK_HINT = _alternatives(
    r"核對|核对|verify",
    r"對唔對|对不对|對到|能中|how did i do|did i do|中唔中|中到",
    r"\bcheck\b|對下|对下|對獎|对奖|有冇獎|有没有奖|有獎|中咗|中了|any luck|\bwon\b|\bprize\b",
)
NEXT_DRAW = _alternatives(
    r"截唔截",
    r"幾多次攪珠|几次开奖|每星期.{0,4}(?:攪珠|开奖)|禮拜有幾多次|how many draws",
    r"逢二四六|逢星期|攪珠日子|哪几天|邊幾日|which days|今天开奖|今日攪唔攪",
    r"draws?(?: \w+)? on (?:mon|tues|wednes|thurs|fri|satur|sun)days?",
    r"(?:周|週|星期|禮拜|礼拜)[一二三四五六日天](?:有冇|有没有|會唔會|会不会)?(?:开奖|開獎|攪珠|开|開)",
    r"开奖吗|攪唔攪|下期.{0,4}(?:獎金|奖金|頭獎|头奖|多寶|多宝)|今期.{0,4}(?:獎金|奖金|多寶|多宝)",
    r"(?:what'?s|how much|how big) (?:is )?the jackpot|when can i buy|when (?:do|does) sales",
    r"jackpot this (?:time|week|draw)|攪唔攪珠|有冇攪珠|今晚有冇|幾點前|几点前|幾時前|\bdraw tonight\b",
    r"is there a draw|draw (?:today|tomorrow)|有冇得買|幾時有得買|聽日有冇|今晚有冇攪珠|今晚有冇開",
    r"邊日攪珠|邊日開|哪天|哪一天|幾號開|几号开|今晚幾點|今晚几点|幾時攪珠|幾時開|幾時搞珠|几时开|幾點攪珠",
    r"幾點開|几点开|几时攪|什么时候开|什麼時候開|幾時截|幾點截|几点截|截止|攪珠時間|开奖时间|開獎時間",
    r"攪珠日|星期幾攪|下期(?:幾時|几时|係幾|是几|幾號|几号|咩時候|什么时候|幾點|几点)",
    r"下一期(?:幾時|几时|係幾|是几|什么时候|幾點|几点)|金多寶|金多宝|下期多寶|下期多宝",
    r"下期頭獎(?:幾多|有幾多|几多|多少)|下期头奖(?:多少|几多)",
    # the jackpot's size, asked without a past-tense word: the coming draw's
    r"(?:頭獎|头奖|多寶|多宝)(?:有)?(?:幾多|幾錢|几多|几钱|多少|有幾多)",
    r"when(?:'s| is| will)? (?:the )?(?:next )?draw|next draw (?:date|time|when)",
    r"when (?:is|does) (?:it|the next one)|draw (?:time|date)|what time (?:is )?(?:the )?draw|sales? clos",
    r"snowball|(?:next|this) (?:draw'?s? )?jackpot|\bwhen\b.*\bdraw\b",
)
LAST_RESULT = _alternatives(
    r"(?:开出来|開出嚟|開出)(?:的|嘅)?(?:号码|號碼)",
    r"(?:琴晚|尋晚|噚晚|昨晚|琴日|昨天|刚才|剛才|頭先|啱啱).{0,6}(?:號碼|号码|開|开|結果|结果)",
    r"what came up|came up on",
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day'?s? (?:results?|numbers|draw)",
    r"最近.{0,3}(?:結果|结果|开奖|開獎)",
    r"what (?:was|were) drawn|last night|開獎嗎|特別號碼|特别号码|extra number",
    r"last (?:week|time)'?s? (?:numbers|results?|draw)|中奖号码|中獎號碼|昨天.{0,4}(?:号码|號碼|结果|結果)",
    r"上(?:一)?期.{0,6}(?:開|开|結果|结果|號碼|号码|咩|乜|什么|幾多|几多|多少|出咗|出了|頭獎|头奖|攪出|特別|特别)",
    r"^\s*上(?:一)?期\s*[?？]*\s*$",
    r"(?:琴日|琴晚|尋晚|噚晚|昨晚|昨天|上期|今晚|頭先).{0,6}(?:有冇人中|有人中|冇人中|有没有人中)",
    r"did anyone win|numbers? won|what won|上次開|開咗咩|開咗乜|開左咩|开了什么|開咩號|开什么号|琴晚開",
    r"尋晚開|噚晚開|昨晚开|昨晚開|今晚開咗|啱啱開|頭先開|攪珠結果|开奖结果|開獎結果|開獎號碼|开奖号码",
    r"結果係|最新結果|最新开奖|last (?:draw|result|night'?s? (?:draw|result|numbers))",
    r"latest (?:draw|result)|previous draw|(?<!least )(?<!most )(?:winning|drawn) numbers|\bresults?\b\??$",
    r"what (?:came out|were the numbers|numbers came)",
)
ODDS = _alternatives(
    r"unlikely|机会大|機會大",
    r"咁難|容易吗|容易嗎|容易中|好難中|很难中",
    r"可能性|possibility|\bodds\b",
    r"几率|幾率|中奖率|中獎率",
    r"機會幾大|机会多大|機會率|中.{0,5}(?:有幾多錢|有多少钱|幾多錢)|how (?:rare|hard)|機會有幾|机会有多",
    r"中頭獎機會|中头奖机会|難唔難|难不难|易唔易|有幾難|有多难|機會率|机会率|機率|机率|概率|賠率|赔率",
    r"分之一|幾大機會|几大机会|中獎機會|中奖机会|有冇機會|\bodds\b|\bchances?\b|probabilit|how likely",
    r"1 in \d",
    # the prize for a tier: "how much would I win with 4 numbers"
    r"how much (?:would|do|can|could|will) (?:i|you|we) (?:win|get)|prize for (?:\d|matching)",
)
STATS = _alternatives(
    r"排行|排名|ranking|\btop \d",
    r"(?:hot|cold) numbers? (?:lately|recently|these days)|近排.{0,4}(?:熱|冷)",
    r"最密|最疏|出得密|\boverdue\b|(?:熱門|热门|冷門|冷门|熱|热|冷)(?:號碼|号码|號|号)(?:有哪些|有邊啲|係邊啲|是哪些)",
    r"係咪好熱|係咪好冷|熱唔熱|冷唔冷|好唔好熱",
    r"(?:comes?|came|drawn|appears?) (?:up )?(?:the )?(?:most|least)|is \d+ (?:hot|cold)|出得最多|出得最少",
    r"出得(?:好)?多唔多|出得多|出得少|最多次|最常见|最常見|出咗幾多次|出咗幾次|出左幾多次|出了几次",
    r"出过几次|出過幾次|出了多少次|幾多次|几次|最熱|最热|最冷|最常出|最多出|最少出|最耐冇出|最久没出",
    r"好耐冇出|統計|统计|數據|数据|頻率|频率|hottest|coldest|most (?:common|frequent|drawn)",
    r"least (?:common|frequent|drawn)|how (?:often|many times)|\bfrequency\b|\bstats?\b|statistic",
    # a question about which numbers are hot or cold, not a request for them
    r"\b(?:which|what|any)\b[^?]{0,25}\b(?:hot|cold)(?:est)?\b|\bis \d+ (?:a |still )?(?:hot|cold)",
)
HELP = _alternatives(
    r"使唔使錢|收費|收费|free to use|is (?:it|this) free|cost anything",
    r"\bcosts? (?:money|anything)|(?:bot|this|it|service) (?:costs?|charges?) (?:money|anything)\b",
    r"(?:點解|為什麼|为什么|why)[^，,。]{0,6}(?:揀|選|选|pick|choose|chose|these)",
    r"ai揀|ai选|ai pick|how (?:this|it) works|\bexplain\b",
    r"點樣計|怎么算|點計|how do you (?:calculate|choose|pick)|who runs|who are you|who made",
    r"你係邊個|你是谁|做什么的|做咩㗎|係做咩",
    r"机器人|機器人|機械人|are you (?:a )?(?:bot|real|human)|what'?s this about|what is this about",
    r"真人|係咪ai|是不是ai|how does (?:the |this |your )?(?:ai|bot)|how do you pick",
    r"真係隨機|真的随机|is (?:it|this) (?:really )?random|\blegit\b|\bscam\b|呃人|骗人|怎么让你|怎樣讓你",
    r"(?:用|係|是)\s*ai\b|真的嗎|真的吗|係咪真|真唔真|is (?:it|this) real\b",
    r"how do i get you|準唔準|准不准|準確|准确|is (?:it|this) accurate|does (?:it|this) (?:really )?work",
    r"how (?:do|can) i (?:ask|choose|get|request)|點先可以|點樣用你",
    r"what (?:is|does) this (?:account|page|bot)|點樣(?:先)?(?:可以)?揀|點揀|怎么选|怎麼選|點玩|点玩",
    r"怎麼玩|怎么玩|點用|点用|怎麼用|怎么用|點樣用|點樣玩|咩嚟|乜嘢嚟|係咩|是什么|點運作|怎么运作|規則",
    r"规则|教學|教我|how (?:does|do) (?:this|it|you) work|how (?:to|do i) (?:use|play)|what is this",
    r"what do you do|\bhelp\b(?! me)|\brules\b|^\s*\?+\s*$",
    r"幹嘛|做乜(?:嘢)?(?:㗎|的)|what'?s this (?:account|page) for",
    r"(?:is (?:it|this|that)|are you) (?:really |actually |an? )*(?:ai|bot|robot|human|real)\b",
)
#: "係咩號碼好" asks for numbers, not for help.
HELP_EXCEPTIONS = _alternatives(
    r"係咩號|係咩號碼",
)
PICK_REQUEST = _alternatives(
    r"俾組|畀組|俾我|畀我|給我|给我|整組|揀組|幫我揀|帮我选|求|推介|推荐|give me|\bpick\b",
    r"numbers? (?:pls|please|plz)|\bgimme\b",
)
#: A question word about time, and a word about the draw: "幾時再攪珠", "下次开奖是星期几".
WHEN_WORDS = _alternatives(
    r"幾時|几时|幾點|几点|星期幾|星期几|禮拜幾|什麼時候|什么时候|咩時候|when\b|what time|what day|which day",
    r"邊日|邊一日|哪天|哪一天|幾號|几号|what date",
)
DRAW_WORDS = _alternatives(r"攪珠|搞珠|開獎|开奖|攪|draw|開|开|next one|下期|下次|下一期|\bclos|截")
#: A superlative or count about numbers: "邊個號碼最旺", "哪个号码出现最多".
SUPERLATIVE_WORDS = _alternatives(
    r"最(?:多|少|熱|热|冷|旺|常|耐|久)|出現最|出现最|幾多次|几次|多少次|\bmost\b|\bleast\b|how many times",
)
NUMBER_WORDS = _alternatives(r"號碼|号码|號|号|numbers?|\d")
#: Loan and credit adverts: checked before harm signs, which share their words (借錢).
ADVERT = _alternatives(r"低息|快批|免息|批核|借錢俾你|借钱给你|loans? available|instant loan|apply now")
#: Other people's wins last draw ("琴晚中咗幾多個頭獎"): a result, not this commenter's ticket.
OTHERS_WON = _alternatives(
    r"幾多(?:個|注)(?:頭獎|一獎)|多少(?:个|注)(?:头奖|一等奖)|how many (?:people |winners )?(?:won|winners)",
    r"有冇人中|有人中|冇人中|有没有人中|anyone win|did anyone",
)
RECENT_PAST = _alternatives(
    r"琴晚|琴日|尋晚|噚晚|昨晚|昨天|上期|上一期|頭先|啱啱|last (?:night|draw|time)|yesterday"
)
#: Past-tense words: "周二开出来的号码" asks for a result, not for the next draw.
PAST_WORDS = _alternatives(r"开出来|開出嚟|開出|開咗|开了|開了|came up|was drawn|were drawn")
