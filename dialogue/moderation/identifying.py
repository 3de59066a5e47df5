"""Spot text that appears to carry identifying information: a phone number, an e-mail
address, a street address with a house number, or a link to a personal social-media profile.

Participants on both sides can be put in danger by being identified, so a message that seems
to carry such details is held for a moderator, who decides. The patterns lean towards
precision: years, dates, quantities and ordinary links are not reported. They are heuristics;
docs/watched-words.md lists what they know.
"""

from __future__ import annotations

import re

KINDS = ("phone", "email", "address", "social_profile")

# --- e-mail addresses ------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+\-])[\w.+\-]+"
    r"(?:@|\s*[\[(]\s*(?:at|собака)\s*[\])]\s*)"
    r"[^\W_](?:[\w\-]*[^\W_])?"
    r"(?:(?:\.|\s*[\[(]\s*(?:dot|точка)\s*[\])]\s*)[^\W_](?:[\w\-]*[^\W_])?)*"
    r"(?:\.|\s*[\[(]\s*(?:dot|точка)\s*[\])]\s*)[^\W\d_]{2,}\b",
    re.IGNORECASE,
)

# --- links to personal profiles --------------------------------------------------------------

_HOST_PREFIX = r"(?:https?://)?(?:(?:www|m|mobile|web|mbasic)\.)?"
_NAME = r"[\w.\-]{1,63}[\w\-]"
# The profile itself: nothing after the name but a slash or a query string (a post, a photo
# or an article under a name is content, often public news, and is not reported).
_PATH_END = r"/?(?:\?[^\s/]*)?(?![\w/\-]|\.\w)"

# Paths of these sites that are the site's own pages, not a person's profile.
_RESERVED = {
    "facebook": {"help", "policies", "policy", "privacy", "legal", "terms", "login", "signup",
                 "watch", "groups", "events", "marketplace", "gaming", "business", "ads", "pages",
                 "hashtag", "sharer", "sharer.php", "share", "share.php", "dialog", "plugins",
                 "photo.php", "story.php", "permalink.php", "settings", "about", "careers",
                 "notes", "reel", "reels", "stories", "fundraisers", "jobs", "places", "home.php",
                 "l.php", "media", "search", "friends", "messages", "notifications", "bookmarks"},
    "instagram": {"p", "reel", "reels", "explore", "accounts", "about", "developer", "legal",
                  "tv", "direct", "web", "challenge", "privacy", "terms", "directory"},
    "telegram": {"joinchat", "c", "s", "share", "addstickers", "addemoji", "proxy", "socks",
                 "iv", "login", "setlanguage", "addtheme", "bg", "invoice", "contact", "boost"},
    "vk": {"feed", "im", "friends", "groups", "search", "video", "music", "audio", "photos",
           "albums", "apps", "app", "market", "wall", "away.php", "support", "settings", "login",
           "about", "blog", "dev", "press", "terms", "privacy", "legal", "docs", "clips",
           "bugs", "jobs", "help", "games", "services", "topic", "page", "note", "notes"},
    "twitter": {"home", "search", "explore", "i", "intent", "share", "hashtag", "settings",
                "login", "logout", "signup", "messages", "notifications", "tos", "privacy",
                "about", "compose", "download", "jobs", "en", "rules", "help"},
}

_PROFILE_LINKS = [
    # facebook.com/profile.php?id=…, facebook.com/people/Name/123…, facebook.com/<name>
    ("facebook", re.compile(_HOST_PREFIX + r"(?:facebook\.com|fb\.com)/(?:profile\.php\?id=\d+[^\s/]*"
                            r"|people/[^\s/]+/\d+/?|(?P<name>" + _NAME + r")" + _PATH_END + r")",
                            re.IGNORECASE)),
    ("instagram", re.compile(_HOST_PREFIX + r"instagram\.com/(?:stories/)?(?P<name>" + _NAME + r")"
                             + _PATH_END, re.IGNORECASE)),
    ("telegram", re.compile(_HOST_PREFIX + r"(?:t\.me|telegram\.me)/(?P<name>[A-Za-z][\w]{3,31})"
                            + _PATH_END, re.IGNORECASE)),
    ("vk", re.compile(_HOST_PREFIX + r"(?:vk\.com|vkontakte\.ru)/(?P<name>" + _NAME + r")" + _PATH_END,
                      re.IGNORECASE)),
    ("twitter", re.compile(_HOST_PREFIX + r"(?:twitter\.com|x\.com)/(?P<name>\w{1,15})" + _PATH_END,
                           re.IGNORECASE)),
    ("tiktok", re.compile(_HOST_PREFIX + r"tiktok\.com/@[\w.]{2,24}" + _PATH_END, re.IGNORECASE)),
    ("linkedin", re.compile(_HOST_PREFIX + r"(?:[a-z]{2}\.)?linkedin\.com/in/[\w\-%]{2,100}" + _PATH_END,
                            re.IGNORECASE)),
    ("ok", re.compile(_HOST_PREFIX + r"ok\.ru/profile/\d+" + _PATH_END, re.IGNORECASE)),
]
# VK community pages (club123, public123, event123) belong to groups, not to people.
_VK_COMMUNITY = re.compile(r"(?:club|public|event|wall-?)\d", re.IGNORECASE)

# Any link, so that the digits inside a link are not read as a phone number. A bare host is
# read from its start only and possessively (a run like "a.a.a.a…" is tried once, not from
# every letter and every way: that took quadratic time); its last label ends in two letters.
_URL = re.compile(r"(?:https?://|www\.)\S+|(?<![\w.\-])[\w\-]++(?:\.[\w\-]++)++(?<=[a-z]{2})/\S*",
                  re.IGNORECASE)

# --- phone numbers ---------------------------------------------------------------------------

# Digit groups joined by one separator (space, hyphen, dot, or a group in parentheses).
# The groups are matched possessively (`{0,7}+`, Python 3.11): a run of digits is split into
# groups one way only, the greedy one, and never retried in other splittings, so screening
# takes time linear in the text (tried every way, a few thousand digits and commas took
# seconds). A run that does not end where a number may end is not a phone number.
_PHONE = re.compile(
    r"(?<![\w+@/=.\-])"
    r"(?P<prefix>\+\s?|00)?+"
    r"(?:\(\d{1,5}\)|\d{1,5}+)"
    r"(?:(?:[ \u00a0]?[\-.][ \u00a0]?|[ \u00a0])?(?:\(\d{1,5}\)|\d{1,5}+)){0,7}+"
    r"(?![\w@])"
)
_LOCAL_FORMATS = [
    re.compile(r"0\d{8}"),  # Armenia: 0XX XXXXXX (e.g. 091 123 456, 010 123456)
    re.compile(r"0\d{9}"),  # Azerbaijan: 0XX XXX XX XX (e.g. 050 123 45 67)
    re.compile(r"8\d{10}"),  # Russia: 8 XXX XXX-XX-XX
]
_DATE = re.compile(r"\d{1,2}[./\-]\d{1,2}[./\-](?:\d{2}|\d{4})|\d{4}[./\-]\d{1,2}[./\-]\d{1,2}")
_YEAR = r"(?:1[89]|20)\d\d"
_YEARS = re.compile(_YEAR + r"(?:(?:\s?[\-.]\s?|\s)" + _YEAR + ")+")  # "1988-1994", "1988 1992 1994"
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:(?P<sep>[ \u00a0,.])\d{3})(?:(?P=sep)\d{3})*")
_DECIMAL = re.compile(r"\d+[.,]\d+")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def _is_phone(candidate: str, international: bool) -> bool:
    """Whether a run of digit groups is a phone number rather than a year, date or quantity."""
    digits = re.sub(r"\D", "", candidate)
    if sum(len(group) == 1 for group in re.findall(r"\d+", candidate)) > 1:
        return False  # "1 2 3 4 5 6 7 8" is a list; a phone has one short group at most
    if international:
        return 8 <= len(digits) <= 15
    if not 8 <= len(digits) <= 15:
        return False
    for excluded in (_DATE, _YEARS, _THOUSANDS, _DECIMAL, _IPV4):
        if excluded.fullmatch(candidate):
            return False
    separated = digits != candidate
    return separated or any(local.fullmatch(digits) for local in _LOCAL_FORMATS)


# --- street addresses ------------------------------------------------------------------------

_HOUSE = r"(?P<number>\d{1,4})(?:[a-zа-яա-ֆ](?!\w))?(?:/\d{1,4})?"
_ADDRESSES = [
    # English: "12 Baker Street", "221B Baker St.", "1600 Pennsylvania Ave"
    re.compile(r"(?<![\w/.,])(?P<number>\d{1,5})[A-Za-z]?,?\s+(?:[A-Z][\w'\-]*\s+){1,3}"
               r"(?i:street|st\.?|road|rd\.?|avenue|ave\.?|lane|boulevard|blvd\.?|drive)(?!\w)"),
    # English, number after: "Baker Street 12", "Main St. 5"
    # (From the start of a word, its letters taken once: a run of capitals is not retried
    # from each of its letters.)
    re.compile(r"(?<![\w'\-])[A-Z][\w'\-]++\s+(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Lane|Boulevard|Blvd\.)"
               r",?\s*(?:No\.?\s*)?" + _HOUSE + r"(?![\w.,]\d)"),
    # Azerbaijani: "Nizami küçəsi 12", "Azadlıq prospekti, ev 45", "Nizami küç. 5" (also ASCII)
    re.compile(r"(?i:(?<!\w)(?:k[üu][çc](?:ə|e)si|k[üu][çc](?:ə|e)|k[üu][çc]\.|prospekti|prosp\.|pr\.|"
               r"şossesi|sossesi|döngəsi|dongesi|bulvarı|bulvari|dalanı|dalani))"
               r"[\s,]*(?i:(?:ev|bina|mənzil|menzil|№|n)\.?\s*)?" + _HOUSE + r"(?![\w.,]\d)"),
    # Russian: "ул. Ленина, д. 5", "улица Абовяна 12", "проспект Мира 10/2"
    re.compile(r"(?i:(?<!\w)(?:улица|ул\.?|проспект|просп\.|пр-т|переулок|пер\.|бульвар|б-р|шоссе))"
               # Up to three names, each word's letters taken once (possessive): a run of
               # capitals is one word, not every way of cutting it into three.
               r"\s*(?:[A-ZА-ЯЁ0-9][\w\-]*+\.?\s*){1,3},?\s*(?i:(?:д\.|дом)\s*)?№?\s*"
               + _HOUSE + r"(?![\w.,]\d)"),
    # Armenian: "Աբովյան փողոց 12", "Բաղրամյան պող. 24", "Մաշտոցի պողոտա, տուն 5"
    re.compile(r"(?i:(?<!\w)(?:փողոց|փ\.|պողոտա|պող\.|նրբանցք|նրբ\.|խճուղի|թաղամաս|թաղ\.))"
               r"[\s,]*(?i:(?:տուն|շենք|բն\.)\s*)?" + _HOUSE + r"(?![\w.,]\d)"),
]
_YEAR_AS_HOUSE = re.compile(r"(?:19|20)\d\d")


# --- the whole check -------------------------------------------------------------------------

def find_identifying_info(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) for each part of the text that appears to identify a person: kind is
    "phone", "email", "address" or "social_profile"; in order of start, not overlapping."""
    found: list[tuple[str, int, int]] = []

    for match in _EMAIL.finditer(text):
        found.append(("email", match.start(), match.end()))

    for site, pattern in _PROFILE_LINKS:
        for match in pattern.finditer(text):
            name = match.groupdict().get("name")
            if name is not None:
                if name.lower().rstrip(".") in _RESERVED.get(site, ()):
                    continue
                if site == "vk" and _VK_COMMUNITY.match(name):
                    continue
            if match.start() > 0 and (text[match.start() - 1].isalnum() or text[match.start() - 1] in ".-"):
                continue  # part of a longer host name (notfacebook.com, ok.ru inside book.ru)
            found.append(("social_profile", match.start(), match.end()))

    links = [match.span() for match in _URL.finditer(text)]
    taken = links + [(start, end) for _kind, start, end in found]

    for match in _PHONE.finditer(text):
        start, end = match.span()
        if any(start < b and a < end for a, b in taken):
            continue
        candidate = match.group().strip()
        if _is_phone(candidate, international=bool(match.group("prefix"))):
            found.append(("phone", start, end))

    for pattern in _ADDRESSES:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < b and a < end for a, b in links):
                continue
            if _YEAR_AS_HOUSE.fullmatch(match.group("number")):
                continue  # "In 2020 Wall Street …", "Wall Street 2008": a year, not a house
            found.append(("address", start, end))

    # Keep the earliest, then the longest, of overlapping finds.
    found.sort(key=lambda item: (item[1], -(item[2] - item[1])))
    result: list[tuple[str, int, int]] = []
    for item in found:
        if not result or item[1] >= result[-1][2]:
            result.append(item)
    return result
