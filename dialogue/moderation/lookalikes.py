"""The tables the watched-words matcher folds text with: look-alike letters across Latin,
Cyrillic, Armenian and Greek, Azerbaijani letters and spellings in both scripts, digits and
symbols used as letters, marks kept or dropped, and punctuation (dialogue.moderation.matcher
explains each rule; docs/watched-words.md says the same in prose)."""

# Characters that vanish when a word is split with them (they are typed inside words).
APOSTROPHES = frozenset("'\u2019\u2018\u201b\u02bc\u02bb\u02b9\u0060\u00b4\u2032")
ARMENIAN_INWORD_MARKS = frozenset("\u055a\u055b\u055c\u055e\u055f")  # ՚ ՛ ՜ ՞ ՟
NEWLINES = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")

# Marks kept on their letter: they make distinct Azerbaijani letters (and Russian й).
KEPT_MARKS = {
    ("o", "\u0308"): "ö", ("u", "\u0308"): "ü", ("s", "\u0327"): "ş", ("s", "\u0326"): "ş",
    ("c", "\u0327"): "ç", ("g", "\u0306"): "ğ", ("a", "\u0308"): "ä", ("и", "\u0306"): "й",
}
# Latin letters without a decomposition that stand for a plain letter.
LATIN_EXTRA = {"ǝ": "ə", "ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ŀ": "l"}

# Azerbaijani letters and their plain Latin base (both directions match).
AZ_SKELETON = {"ə": "e", "ı": "i", "ö": "o", "ü": "u", "ğ": "g", "ş": "s", "ç": "c", "ä": "a"}
# In Azerbaijani text, "ä" is the letter ə of the 1991-92 alphabet.
AZ_LATIN_ALIASES = {"ä": "ə"}

# The Azerbaijani Cyrillic alphabet (and what Russian keyboards type for it), as Azerbaijani
# Latin letters. Used only for terms marked `az`.
AZ_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "qg", "ғ": "ğ", "д": "d", "е": "e", "ә": "ə", "ж": "j",
    "з": "z", "и": "i", "ы": "ı", "й": "y", "ј": "y", "к": "k", "ҝ": "g", "л": "l", "м": "m",
    "н": "n", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ү": "ü",
    "ф": "f", "х": "x", "һ": "h", "ч": "ç", "ҹ": "c", "ш": "ş", "э": "e",
}
# Spellings of one Azerbaijani letter with two (terms marked `az` only).
AZ_DIGRAPHS = {"ş": ("sh",), "ç": ("ch",), "ğ": ("gh",), "c": ("дж",)}

# Letters that look alike across Latin, Cyrillic, Armenian and Greek; each string is a group.
VISUAL_GROUPS = (
    "aаαɑ",  # Cyrillic а, Greek alpha, Latin alpha
    "bв",  # Cyrillic В (upper-case look-alike)
    "cсϲ",  # Cyrillic с, Greek lunate sigma
    "dԁ",  # Cyrillic komi de
    "eе",  # Cyrillic е
    "gցɡ",  # Armenian ց (co), Latin script g
    "hһհн",  # Cyrillic shha, Armenian հ (ho), Cyrillic Н (upper-case look-alike)
    "iіӏι",  # Cyrillic і, palochka, Greek iota
    "jј",  # Cyrillic je
    "kкκ",  # Cyrillic к, Greek kappa
    "mм",  # Cyrillic М (upper-case look-alike)
    "nո",  # Armenian ո (vo)
    "oоοօ",  # Cyrillic о, Greek omicron, Armenian օ (oh)
    "pрρ",  # Cyrillic р, Greek rho
    "qԛզ",  # Cyrillic qa, Armenian զ (za)
    "sѕ",  # Cyrillic dze
    "tт",  # Cyrillic Т (upper-case look-alike)
    "uսυ",  # Armenian ս (se), Greek upsilon
    "wԝ",  # Cyrillic we
    "xхχ",  # Cyrillic х, Greek chi
    "yуү",  # Cyrillic у, Cyrillic straight u
)
VISUAL = {letter: group[0] for group in VISUAL_GROUPS for letter in group}
VISUAL_GROUP_OF = {letter: group for group in VISUAL_GROUPS for letter in group}

# Digits and symbols used as letters, and the letters they stand for.
LEET = {
    "0": "o", "1": "il", "3": "eз", "4": "aч", "5": "s", "6": "bб", "7": "t",
    "@": "a", "$": "s", "!": "i", "|": "li", "€": "e",
}
LEET_SYMBOLS = "".join(c for c in LEET if not c.isdigit())

# Every character a term letter is compared with when its class is built; any other
# character matches only itself.
ALPHABET = frozenset(
    "abcdefghijklmnopqrstuvwxyz" + "əıöüğşçä"
    + "".join(chr(c) for c in range(0x430, 0x450)) + "йәғҹјһүөҝіӏѕԁԛԝ"
    + "".join(chr(c) for c in range(0x561, 0x587))
    + "αοριυκχϲɑɡ" + "".join(LEET)
)

SENTENCE_ENDS = ".?;։"
# In the folded text every other punctuation mark or symbol becomes this one character, so
# that the compiled terms stay small and quick to search.
PUNCTUATION = "\x1f"
