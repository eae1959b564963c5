"""How a question asks for a figure or a rule, and how a text states one: the query-time half of
kb.measures' grammar.

kb.measures lists the words a number is said with (counters, classifiers, units), which the
build reads too (kb.structure). What a question asks (多少钱 asks money, 能不能收 asks a rule) and
how a passage or a sentence states what it asks ($380, 不得) are read only at search and answer
time (kb.query, kb.ranking, kb.answer), so they live here, outside the index's fingerprint
(kb.catalog): changing how a question is read does not rebuild anyone's index.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .measures import AGE, COUNTERS, ENDS_WORDS, LENGTH, MEASURES, MONEY, TIME, WEIGHT, alternation

# A question asking a figure in a stated measure (多少度, 多少钱, 几天), and the measure
# (Simplified; kb.answer reads them in either script): a number in that measure's units
# answers it (kb.answer.sentences), and a passage stating one is what such a query looks for
# (kb.ranking's `figure`).
# Beside how much (多少钱), whether a charge applies asks one too (要加钱吗, 收不收费, 另外收费吗),
# and so do how it is charged (怎么收费, 运费咋算) and Cantonese 几钱, 几耐 (how long), 几重. How much
# is paid (赔多少, 收多少) asks money unless a measure or a count follows (扣多少分, 罚多少次).
_HOW = r"(?:怎么|怎样|如何|咋|点样|点)"
_NOT_MONEY = alternation(tuple(w for w in MEASURES + COUNTERS if w not in MONEY) + ("分", "时间"))
_ANY_PLACE = r"(?:地方|场地|店面|铺面|门面|门店|仓库|库房|房子|场所|网点)"
# a yes-no question's end: 吗, or 不 said last (要加钱不; not 收费不合理)
_ASKED_END = r"(?:[吗么嘛]|不(?=$|[\s，,。？?！!]))"
ASKED = (
    ("temperature", r"多少度|几度|多少摄氏度|什么温度|温度[是要为]?多少"),
    ("money", rf"多少钱|几块钱|多少元|几多钱|几多蚊|几钱|[费价钱]是?多少|(?:收|加|付|补|赔|罚|扣|退)(?:多少|几多)(?!{_NOT_MONEY})"
              rf"|{_HOW}(?:收费|收钱|计费|算钱|计价|算价|卖)|(?:费用?|价钱|价格|运费)(?:是|要)?{_HOW}算"
              r"|收费[吗么嘛]|收不收(?:钱|费)|要不要(?:钱|付钱|付费|收费|加钱|给钱|掏钱)"
              rf"|(?:要|收|加|另外|额外|另行)(?:收)?(?:钱|费){_ASKED_END}|(?:加|掏|给|付|补)钱{_ASKED_END}|免费[吗么嘛]|免不免费|贵不贵|多贵|几贵"),
    ("weight", r"多少公斤|几公斤|多少千克|几千克|多少斤|几斤|多少克|多少吨|几吨|多少kg|几kg|多重|几重|几多斤|几多公斤"
               r"|(?:重量|限重|重量限制)(?:是|为|有)?多少"),
    ("duration", r"几天|多少天|多久|多长时间|多少时间|几长时间|几耐|几日|几多日|几多天|多少日|几个?小时|多少个?小时|几个?钟头|多少个?钟头"
                 r"|几个钟|几粒钟|几多个?钟|几分钟|多少分钟|几个月|多少个月|几个?工作日|多少个?工作日|几周|多少周"
                 r"|几个?礼拜|多少个?礼拜|几个?星期|多少个?星期|多快"
                 # how many years (保存几年, 要干多少年), not a grade (几年级), a time (前几年, 这几年来) or
                 # several years said (好几年, 十几年)
                 r"|(?<![前近这那头好十])(?:几|多少)年(?![级前来])|期限是?多[久长]|时限是?多少"
                 # a span of time asked how long (试用期多长, 时效有多长, 年假多长)
                 r"|(?:期|时效|时长|假|间隔)(?:是|有|要|为)?多长"),
    ("date", r"几号|几月几[日号]"),
    ("share", r"百分之几|百分之多少|多少比例|比例是?多少|占比是?多少|占多少|几成|几个百分点|多少个?百分点"
              # a rate (签收率多少, 破损率是多少) and a discount (打几折)
              r"|率[^，,。？?！!\s]{0,4}?(?:多少|几成)|(?:打|几|多少)折(?!叠|腾|磨|返)"),
    ("length", r"(?<![期效假隔])(?<!期是)(?<!期有)(?<!期要)(?<!效是)(?<!效有)多长(?!时间)|多宽|多高|多远|多深|多少米|几米|几多米|多少公里|几公里|几多公里|多少厘米|几厘米|多少公分|几公分"
               r"|多少(?:cm|mm|km)|几(?:cm|mm|km)|(?:长度|宽度|高度|距离)(?:是|为|有)?多少"
               r"|尺寸是?多少|多大尺寸|长宽高"),
    ("age", r"几岁|多少岁|几多岁|多大年纪|多大岁数|年龄(?:是|为|要|有|得)?(?:多少|多大)|年纪(?:是|要|有)?多大|岁数"),
    ("area", rf"多大面积|面积(?:是|要|有|得)?(?:多大|多少)|多少平(?:方米?|米)|几平(?:方米?|米)|几多平|几十平|多大的?{_ANY_PLACE}"
             rf"|{_ANY_PLACE}(?:起码|至少|最少|最小|要|得|有)*多大"),
)
_D = r"\d+(?:\.\d+)?\s*"  # a number in digits
_C = "[一二三四五六七八九十两半百千]+"  # ... in words
_ABOUT = "(?:多|来|余|几)?"  # a round figure said roughly (四十多斤, 两千来块, 十余天, 三十几块)


def _said(units: tuple[str, ...], latin: str = "") -> str:
    """A figure in one measure's units: after digits, in any of them (or the Latin ones given);
    after a number in words, in those that end no everyday word (三千块, not 三角)."""
    words = alternation(u for u in units if u not in ENDS_WORDS)
    return rf"{_D}{_ABOUT}个?(?:{alternation(units)}{latin})|{_C}{_ABOUT}个?(?:{words})"


# The units each measure is stated in (normalised text): 多少度 is answered by -18℃, not 30分钟.
STATED = {
    "temperature": rf"{_D}(?:℃|°c?|度)|零下{_C}度|{_C}度",
    "money": rf"{_said(MONEY)}|(?:nt\$|hk\$|\$|￥|¥)\s*\d",
    "weight": _said(WEIGHT, r"|kg|g\b"),
    "duration": _said(TIME, r"|h\b"),
    "date": rf"\d{{1,2}}\s*[日号]|[一二三四五六七八九十]+[日号]",
    "share": rf"{_D}[%％]|百分之|[一二三四五六七八九]成|{_D}折|[一二三四五六七八九]折",
    "age": rf"{_said(AGE)}|周岁",
    "length": _said(LENGTH, r"|mm|cm|km|m\b"),
    "area": rf"{_D}{_ABOUT}(?:平方米|平米|平方|㎡|m2|m²)|{_C}{_ABOUT}(?:平方米|平米)",
}


@lru_cache(maxsize=1)
def _asked() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((kind, re.compile(pattern)) for kind, pattern in ASKED)


@lru_cache(maxsize=1)
def stated() -> dict[str, re.Pattern[str]]:
    """Each measure's units, compiled: `stated()[kind].search(norm)` finds a figure stated in them."""
    return {kind: re.compile(pattern) for kind, pattern in STATED.items()}


def asked_measures(norm: str) -> tuple[str, ...]:
    """The measures a normalised query or question asks a figure in (多少钱 → money)."""
    return tuple(kind for kind, pattern in _asked() if pattern.search(norm))


# A question asking whether something may be done (能不能收, 可以先接件吗, 行不行), and the words a
# rule is written in (不得, 禁止, 须, 可以): a passage stating a rule is what it looks for
# (kb.ranking's `rule`).
ASKS_LEAVE = (r"能不能|可不可以|行不行|成不成|允不允许|让不让|准不准|给不给|许不许|是否可以|是否允许|可否|能否"
              # Cantonese and Taiwan forms (得不得; 可唔可以, 得唔得, 使唔使 read as standard Chinese first, as
              # a query is: kb.lexicon.standard's 唔 → 不), whether it must be done (要不要, 需不需要, 是否
              # 必须: a rule says 须 or 不必), whether a thing is taken (收不收, 寄不寄得)
              r"|得不得|使不使|要不要|需不需要|用不用|是否需要|是否必须|收不收|寄不寄"
              # ... and 能 / 可以 / 必须 … 吗 with what may be done between (能寄吗, 可以先接件吗, 必须本人签收吗;
              # 么 only as a particle, not the end of 什么, 怎么, 这么: 需要满足什么条件 asks what)
              r"|(?:能|可以|允许|需要|必须|一定要)[^，,。？?！!]{0,6}(?:吗|嘛|(?<![什怎这那多])么)"
              # which things may not be done (什么样的包裹不能上分拣机, 哪些东西不让寄, 不能收的有哪些): a
              # rule's list of what is barred
              r"|(?:(?<!为)什么|哪些|哪种|哪类|啥)[^，,。？?！!]{0,8}(?:不能|不可以|不准|不让|不得|禁止|不允许|不收|不给)"
              # (not 不能签收是什么原因, which asks why)
              r"|(?:不能|不可以|不准|不让|禁止|不允许|不收)[^，,。？?！!]{0,8}(?:哪些|什么(?!原因|意思)|啥(?!原因|意思))")
RULE_WORDS = r"不得|禁止|严禁|不准|不可以|不可|不能|不允许|须|必须|应当|可以|允许"


@lru_cache(maxsize=1)
def _leave() -> tuple[re.Pattern[str], re.Pattern[str]]:
    return re.compile(ASKS_LEAVE), re.compile(RULE_WORDS)


def asks_leave(norm: str) -> bool:
    """Whether a normalised query asks whether something may be done."""
    return bool(_leave()[0].search(norm))


def rule_words() -> re.Pattern[str]:
    """The words a rule is written in, compiled: `rule_words().search(norm)` finds a rule stated."""
    return _leave()[1]
