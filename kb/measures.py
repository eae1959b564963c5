"""The words a number is said with: one grammar for the whole pipeline.

A number is said with a word after it: a counter of the items a text lists (三个, 五大, 四阶段,
几招), a classifier of the things or events it counts (五位, 三次, 两箱, 几级), or a unit of a
measured quantity (12.5 公斤, 三千块, 48小时). Each word is listed here once, under what it
counts or measures, and every stage takes its lists from these tables:

- structure (kb.structure): a decimal number before a unit is a figure (1.5 公斤以内), not a
  section's number (1.5 装车要求);
- query analysis (kb.query, kb.answer.question): 几 with any of these words asks how many or
  how much (几次, 几级, 几公斤), never what a question is about; a count stated with a counter
  (哪四个阶段, 五大) says how many items a list answer has;
- answers (kb.answer): a number in words before a unit, or before a classifier of people, goods
  or events, states a figure (五位, 三千块, 两次); a question asking a figure in one measure
  (多少度, 多少钱, 几天) is answered by a number in that measure's units;
- search (kb.ranking): a query asking such a figure favours a passage stating one (`figure`),
  and one asking whether something may be done (能不能收) a passage stating a rule (`rule`).

How a question asks a figure or a rule, and how a text states one (ASKED, STATED, ASKS_LEAVE,
RULE_WORDS), are read only at query time: they are kb.asking's, built on these tables, so that
changing them leaves every index as it is (this module's constants are in the index's
fingerprint, kb.catalog).

Some single characters are units in one place and part of an everyday word in another: 月 is
a month after a number (3个月) and begins 月结; 角 is a dime after one and ends 三角 (a
triangle). `BEGINS_WORDS` and `ENDS_WORDS` list them, so that a stage reading a unit after a
number (structure) or a number before a unit (answers) leaves them out where they mislead.
Simplified, lower case: every stage reads normalised text.
"""

from __future__ import annotations


# the items a text lists, and the words it counts them with (三个, 四种, 五大, 几招, 四阶段)
COUNTERS = ("个", "种", "类", "项", "步", "条", "点", "大", "张", "方面", "方", "层", "招", "阶段", "部分", "环节", "要素")

# classifiers: what is counted
GRADES = ("级", "档", "等", "批", "轮", "期", "道", "段", "样", "组", "对", "套", "双", "行", "列")
EVENTS = ("次", "回", "遍", "趟", "声", "通", "下")
GOODS = ("件", "票", "单", "箱", "包", "袋", "盒", "瓶", "罐", "桶", "块", "片", "枚", "颗", "粒", "根",
         "台", "辆", "架", "艘", "本", "份", "页")
PEOPLE = ("家", "间", "位", "名", "人", "口", "户", "届", "代")

# units of measured quantities, by measure
RATIO = ("倍", "成", "折")
AGE = ("岁",)
# with the everyday and regional ones: 钟头 and 刻钟 (hours, quarters), 礼拜 (weeks), 蚊 (Hong
# Kong dollars), 公尺 and 公分 (Taiwan's metre and centimetre)
TIME = ("世纪", "年", "个月", "月", "周", "星期", "礼拜", "天", "日", "工作日", "小时", "钟头", "刻钟", "分钟", "秒")
MONEY = ("元", "块", "块钱", "蚊", "毛", "角", "万元", "亿元", "美元", "港元", "港币", "新台币")
WEIGHT = ("斤", "公斤", "千克", "克", "吨")
LENGTH = ("米", "公尺", "公里", "千米", "厘米", "公分", "毫米")
TEMPERATURE = ("度",)
UNITS = RATIO + AGE + TIME + MONEY + WEIGHT + LENGTH + TEMPERATURE
LATIN = ("kg", "g", "m", "cm", "km", "h")  # units written in Latin letters (12.5kg, 48h)
MAGNITUDES = ("万", "亿")  # said after a number as part of it (3.5万)

# every word 几 may ask a number in, beside the counters (几级, 几遍, 几罐, 几公斤)
MEASURES = tuple(dict.fromkeys(GRADES + EVENTS + GOODS + PEOPLE + UNITS))

# single characters that are units after a number but begin everyday words (成本, 折扣, 毛利,
# 角色, 月结, 日常, 周边, 克服, 度假): after a section's number (1.2 月结客户) they begin its title
BEGINS_WORDS = frozenset(("成", "折", "毛", "角", "月", "日", "周", "克", "度"))
# ... and those that end everyday words after a number in words (三角, 四周, 一月 …; 克 of 马克)
ENDS_WORDS = frozenset(("毛", "角", "月", "日", "周", "克", "度"))


def alternation(words) -> str:
    """A regex alternation of words, the longest first (公斤 before 斤)."""
    return "|".join(sorted(dict.fromkeys(words), key=len, reverse=True))
