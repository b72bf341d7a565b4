# ruff: noqa: E501  (reply wording reads best one template per line)
"""Replies for the topics the safety screen and the courtesy rules find.

None of these carries a combination (a guarantee ask may add a fun pick
after the plain no, when the account allows it). The wording holds no
digits: phone lines, ages and prices go through `Facts.show`, so the numeric
firewall knows every number a reply may show. The footer adds 18+ and
平和基金 1834 633 to every one of them.
"""

from __future__ import annotations

from marksix.domain.rules import COMBINATIONS
from marksix.language.answers import Answer, Ask, request_json
from marksix.language.fitting import Part
from marksix.language.topics import TOPIC_INTENT

ENTRY_PRICE = 10
CRISIS_LINES = {
    "zh-HK": "撒瑪利亞防止自殺會 2389 2222、撒瑪利亞會 2896 0000、生命熱線 2382 0000、情緒通 18111",
    "zh-CN": "撒玛利亚防止自杀会 2389 2222、撒玛利亚会 2896 0000、生命热线 2382 0000、情绪通 18111",
    "en": "Samaritan Befrienders 2389 2222, The Samaritans 2896 0000, Suicide Prevention Services 2382 0000, 18111",
}
TRY_ASKING = {
    "zh-HK": "「俾組號碼我」、「上期開咩」、「幾時攪珠」、「頭獎機會幾多」",
    "zh-CN": "「给我一组号码」、「上期开什么」、「什么时候开奖」、「头奖几率多少」",
    "en": '"numbers please", "last results", "when is the next draw", "odds of the jackpot"',
}
TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    "zh-HK": {
        "crisis": (
            "{m} 聽到你咁講，我真係好擔心你。你比任何一期攪珠都重要。而家就搵人傾吓，{hours}小時有人聽：{lines}。有即時危險請打{emergency}。",
            "{m} 多謝你講出嚟，你唔係一個人 🙏 呢度唔會俾號碼，只想你平安。請即刻打：{lines}；有危險打{emergency}。",
            "{m} 咁辛苦嘅時候，唔好自己一個捱。{hours}小時熱線：{lines}。如果而家有危險，即刻打{emergency}。",
        ),
        "minor": (
            "{m} 多謝留言！不過喺香港，六合彩只限{age}歲或以上人士，所以我唔會俾號碼你 🙏",
            "{m} 多謝你支持！香港法例規定六合彩只限{age}歲或以上，等你夠年紀先啦 😊",
        ),
        "family": (
            "{m} 屋企人賭錢，身邊嘅人都好辛苦 🙏 平和基金唔止幫賭徒本人，亦會幫家人，可以打去傾吓點幫佢、點照顧自己。",
            "{m} 擔心屋企人賭錢好正常，你唔使一個人扛。平和基金都有家人輔導，保密又免費。",
            "{m} 見到屋企人越賭越多，真係好揪心。平和基金可以教你點同佢傾，亦會照顧埋你嘅感受。",
        ),
        "debt": (
            "{m} 欠債、借財仔或者大耳窿嘅壓力好大，千祈唔好再借錢去買。平和基金可以同你諗還款同理財嘅辦法，完全保密。",
            "{m} 借錢嚟買只會越滾越大 🙏 唔好靠攪珠還債，平和基金有專人幫你處理債務壓力。",
            "{m} 俾人追數好大壓力，唔好再借嚟搏。平和基金可以陪你慢慢諗還款計劃。",
        ),
        "guarantee": (
            "{m} 老實講：冇一組號碼係穩陣會中，冇人知下期開咩。頭獎機會係{odds}分之一，每組都一樣。",
            "{m} 真心話：冇人可以預先知道結果。每組號碼中頭獎嘅機會都係{odds}分之一。",
        ),
        "bot": (
            "{m} 老實講：我係自動回覆嘅機械人，唔係真人，亦唔係馬會官方帳號。號碼係隨機揀嘅，唔會提高中獎機會。",
            "{m} 我係自動程式覆你嘅，唔係真人，同馬會冇關係。啲號碼係隨機產生，冇秘技。",
        ),
        "stop": ("{m} 明白，之後唔會再覆你嘅留言。想要號碼嘅時候留言講聲就得。",),
        "thanks": ("{m} 唔使客氣 😊", "{m} 多謝支持 🙌 玩得開心，量力而為。", "{m} 唔該晒你留言 😊"),
        "greeting": (
            "{m} 你好呀 👋 想要號碼、上期結果或者機會率，留言問我就得。",
            "{m} 早晨 😊 有咩想問隨時留言。",
        ),
        "tag": ("{m} 多謝分享 🙌 朋友想要號碼可以自己留言。",),
        "price": ("{m} 每注{price}。複式同膽拖按注數計，例如{size}個號複式有{entries}注，即{total}。",),
        "free": ("{m} 完全免費，留言就有，唔使俾錢。買六合彩就要經馬會。",),
        "follow": ("{m} 唔使follow或者讚好，留言就會覆你。",),
        "unclear": ("{m} 我未睇明 🙈 可以試吓問我：{examples}。", "{m} 唔太明你想問咩，試吓寫：{examples}。"),
    },
    "zh-CN": {
        "crisis": (
            "{m} 听到你这样说，我真的很担心你。你比任何一期开奖都重要。请马上找人聊聊，{hours}小时有人接听：{lines}。有即时危险请拨{emergency}。",
            "{m} 谢谢你说出来，你不是一个人 🙏 这里不会给号码，只希望你平安。请拨：{lines}；有危险拨{emergency}。",
        ),
        "minor": (
            "{m} 谢谢留言！在香港，六合彩只限{age}岁或以上人士，所以这里不会给你号码 🙏",
            "{m} 谢谢支持！香港法律规定六合彩只限{age}岁或以上，等你够年龄再说吧 😊",
        ),
        "family": (
            "{m} 家人赌博，身边的人也很辛苦 🙏 平和基金也帮助家属，可以打去聊聊怎样帮他、怎样照顾自己。",
            "{m} 担心家人赌博很正常，你不用一个人扛。平和基金有家属辅导，保密又免费。",
        ),
        "debt": (
            "{m} 欠债、网贷或高利贷压力很大，千万别再借钱去买。平和基金可以帮你想还款和理财的办法，完全保密。",
            "{m} 借钱来买只会越滚越大 🙏 别靠开奖还债，平和基金有专人帮你处理债务压力。",
        ),
        "guarantee": (
            "{m} 说实话：没有哪组号码稳稳会中，没人知道下期开什么。头奖机会是{odds}分之一，每组都一样。",
        ),
        "bot": (
            "{m} 说实话：我是自动回复的机器人，不是真人，也不是马会官方账号。号码是随机选的，不会提高中奖机会。",
        ),
        "stop": ("{m} 明白，之后不会再回复你的留言。想要号码时留言说一声就行。",),
        "thanks": ("{m} 不客气 😊", "{m} 谢谢支持 🙌 量力而为。"),
        "greeting": ("{m} 你好 👋 想要号码、上期结果或几率，留言问我就行。",),
        "tag": ("{m} 谢谢分享 🙌 朋友想要号码可以自己留言。",),
        "price": ("{m} 每注{price}。复式和胆拖按注数算，例如{size}个号码复式有{entries}注，即{total}。",),
        "free": ("{m} 完全免费，留言就有。买六合彩要通过马会。",),
        "follow": ("{m} 不用关注或点赞，留言就会回复你。",),
        "unclear": ("{m} 我没看明白 🙈 可以试试问我：{examples}。",),
    },
    "en": {
        "crisis": (
            "{m} I'm really sorry you're hurting, and I'm worried about you. Please talk to someone now ({hours}h): {lines}. In danger, call {emergency}.",
            "{m} Thank you for saying it. You're not alone, and you matter more than any draw. Call now: {lines}; in danger, {emergency}.",
            "{m} Please don't go through this alone. People are there {hours}h a day: {lines}. If you're in danger right now, call {emergency}.",
        ),
        "minor": (
            "{m} Thanks for the comment! In Hong Kong the Mark Six is for {age}+ only, so no numbers from me 🙏",
            "{m} Thanks for the support! Hong Kong law keeps the Mark Six to {age}+, so let's wait until you're old enough 😊",
        ),
        "family": (
            "{m} A family member's gambling is hard on everyone around them 🙏 Ping Wo Fund helps families too: call them about how to help and how to look after yourself.",
            "{m} Worrying about someone's gambling is a lot to carry alone. Ping Wo Fund counsels families, free and in confidence.",
        ),
        "debt": (
            "{m} Debt and loan sharks are a heavy weight. Please don't borrow to play. Ping Wo Fund can help you plan repayments, in confidence.",
            "{m} Borrowing to play only makes the hole deeper 🙏 Don't count on a draw to clear a debt; Ping Wo Fund can help with the pressure.",
        ),
        "guarantee": (
            "{m} Honestly, there's no such thing: nobody knows the next draw. The jackpot chance is {one} in {odds} for every line.",
        ),
        "bot": (
            "{m} Honest answer: I'm an automated bot, not a person, and not HKJC's official account. The numbers are random and don't raise anyone's chance.",
        ),
        "stop": (
            "{m} Got it, I won't reply to your comments again. Ask for numbers any time and I'll be back.",
        ),
        "thanks": ("{m} You're welcome 😊", "{m} Thanks for the support 🙌 Play for fun, within your means."),
        "greeting": ("{m} Hi 👋 Ask me for numbers, the last results or the odds any time.",),
        "tag": ("{m} Thanks for sharing 🙌 Your friend can comment for their own numbers.",),
        "price": (
            "{m} Each entry is {price}. Multiples and bankers cost that per entry: a {size}-number multiple is {entries} entries, {total}.",
        ),
        "free": ("{m} It's free: comment and I reply. Tickets themselves are bought through HKJC.",),
        "follow": ("{m} No need to follow or like: just comment.",),
        "unclear": ("{m} I didn't catch that 🙈 Try asking me: {examples}.",),
    },
}
TOPICS = frozenset(TEXTS["en"])


def topic_answer(topic: str, ask: Ask, language: str) -> Answer:
    """The reply to a screened or courtesy topic; never a ticket."""
    facts = ask.facts
    template = ask.choose(TEXTS[language][topic], 1).replace(
        "{m}", ask.mention.replace("{", "{{").replace("}", "}}")
    )
    multiple = 7
    text = template.format(
        lines=facts.show(CRISIS_LINES[language]),
        emergency=facts.show(999),
        hours=facts.show(24),
        one=facts.show(1),
        age=facts.show(18),
        odds=facts.money(COMBINATIONS),
        price=facts.show(f"HK${ENTRY_PRICE}"),
        size=facts.show(multiple),
        entries=facts.show(multiple),
        total=facts.show(f"HK${ENTRY_PRICE * multiple}"),
        examples=TRY_ASKING[language],
    )
    return Answer(
        [Part(text)], (), request_json(ask.parameters, TOPIC_INTENT[topic]), frozenset(facts.allowed)
    )
