"""Text matching for duplicate hints: employer names folded, descriptions cut into words.

Chinese has no spaces, so descriptions are segmented with jieba (search mode, which also yields
the parts of long compounds: 拖欠工资 → 拖欠, 工资, 拖欠工资) and compared as sets of words by
Jaccard similarity. Single characters and common function words carry no topic and are dropped.
"""

from __future__ import annotations

import logging
import unicodedata
import warnings

with warnings.catch_warnings():
    # jieba 0.42 has regular expressions in plain strings, which Python 3.12 warns about.
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", SyntaxWarning)
    import jieba

# jieba announces its dictionary loading at INFO on every start.
jieba.setLogLevel(logging.WARNING)

STOPWORDS = frozenset(
    {
        "我们", "你们", "他们", "她们", "自己", "一共", "一个", "没有", "这个", "那个", "什么",
        "已经", "现在", "可以", "因为", "所以", "但是", "还是", "就是", "如果", "不是", "请问",
        "这样", "怎么", "怎么办", "希望", "情况", "问题", "反映", "咨询", "你好", "您好",
    }
)  # fmt: skip


def employer_key(name: str) -> str:
    """``name`` folded for matching: full-width forms made narrow, no spaces, case-free."""
    return "".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


def words(text: str) -> frozenset[str]:
    """The topic words of ``text``."""
    return frozenset(
        word
        for word in (token.strip() for token in jieba.lcut_for_search(text or ""))
        if len(word) >= 2 and word not in STOPWORDS and not word.isspace()
    )


def similarity(first: frozenset[str], second: frozenset[str]) -> float:
    """Jaccard similarity of two word sets (0 when either is empty)."""
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)
