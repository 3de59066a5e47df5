"""Benchmark: the text every message goes through (watched words, identifying information,
Markdown rendering and sanitizing) takes time linear in the message, whatever it holds.

    .venv/bin/python bench/screening_bench.py [--rounds N] [--seed S]

1. Crafted inputs that made backtracking rules take seconds: digit runs and commas, digit
   groups with every separator, long addresses, e-mail-like and link-like runs, nested
   Markdown. Each, at 4,000 characters (the message limit), must be screened (watched words
   and identifying information) in under 50 ms, and rendered in under 100 ms.
2. A fuzz over random long inputs drawn from small alphabets of the characters these rules
   care about: for each input of 1,000 characters, the time for it repeated eight times
   divided by eight times its own time (1 when linear, 8 when quadratic) must stay under 2.5
   (the best of several runs each, so that the other core's work does not count), for
   screening and rendering alike; and the first 4,000 characters meet the targets above.

Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LIMIT_MS = 50.0
RENDER_LIMIT_MS = 100.0
MAX_GROWTH = 2.5
SIZE = 4000
SHORT, GROWTH = 1000, 8

ALPHABETS = [
    "0123456789,", "0123456789 ", "0123456789 -.()+", "0123456789+ ", "1 -", "12 .",
    "a.@-_", "a@.", "ab.-", "a1@. ", "[](at)(dot) a.", "/:.ahtps w", "fb.com/a ",
    "ул.д 12,", "küçəsi 12 ", "փողոց 12 ", "Street St. 12 A", "*_`[]()!<>#\\\n a",
    "> - 1. ", "&#;<>\"' a", "kil!l. ", "ö̈ ̈a", "\u200b\u00ada ", "АБВЁ ул.", "ABCD St", "ՓԲԳ փողոց ",
    "AB'- Street", "АБВ1-. ",
]

CRAFTED = {
    "digit runs and commas": lambda rng: ",".join(
        "".join(rng.choice("0123456789") for _ in range(rng.randint(30, 60))) for _ in range(200)),
    "digit groups, every separator": lambda rng: "".join(
        rng.choice(["1", "12", "123", "(12)", " ", "-", ".", " - "]) for _ in range(3000)),
    "one long digit run": lambda rng: "9" * SIZE,
    "e-mail-like": lambda rng: "a" + ".a" * 2000,
    "e-mail with no domain end": lambda rng: "a@" + "b" * 3990 + "!",
    "obfuscated e-mail words": lambda rng: "a (at) " * 600,
    "link-like": lambda rng: "facebook.com/" + "a." * 2000,
    "addresses": lambda rng: "ул. Ленина Ленина Ленина, д. " * 150,
    "street words": lambda rng: "12 Baker Baker Baker " * 200,
    "a street name of capitals (Russian)": lambda rng: "ул. " + "А" * SIZE,
    "capitals": lambda rng: "A" * SIZE,
    "capitals, then a street word": lambda rng: "B" * (SIZE - 20) + " Street",
    "nested Markdown": lambda rng: "[" * 2000 + "](" * 1000,
    "emphasis": lambda rng: "*_" * 2000,
    "block quotes": lambda rng: "> " * 2000,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6, help="random inputs per alphabet")
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args()

    from dialogue.moderation.identifying import find_identifying_info
    from dialogue.moderation.matcher import Matcher
    from dialogue.moderation.wordlist import starter_terms
    from dialogue.sanitize import render_message

    matcher = Matcher(starter_terms())

    def screening(text: str) -> None:
        matcher.find(text)
        find_identifying_info(text)

    def best_ms(work, text: str, runs: int = 3) -> float:
        best = float("inf")
        for _ in range(runs):
            started = time.perf_counter()
            work(text)
            best = min(best, time.perf_counter() - started)
        return best * 1000

    rng = random.Random(args.seed)
    failed = False
    print(f"crafted inputs, {SIZE} characters (targets: screened under {LIMIT_MS:.0f} ms, "
          f"rendered under {RENDER_LIMIT_MS:.0f} ms)")
    for name, make in CRAFTED.items():
        text = make(rng)[:SIZE]
        screened, rendered = best_ms(screening, text), best_ms(render_message, text)
        missed = screened >= LIMIT_MS or rendered >= RENDER_LIMIT_MS
        failed |= missed
        print(f"  {'FAIL' if missed else 'ok  '} screened {screened:7.2f} ms  rendered {rendered:7.2f} ms  {name}")

    print(f"random inputs: time per character at {GROWTH * SHORT:,} over {SHORT:,} characters "
          f"(target: under {MAX_GROWTH}; quadratic would be {GROWTH})")
    for label, work, limit in (("screening", screening, LIMIT_MS), ("rendering", render_message, RENDER_LIMIT_MS)):
        worst, slowest = (0.0, ""), 0.0
        for alphabet in ALPHABETS:
            for _ in range(args.rounds):
                short_text = "".join(rng.choice(alphabet) for _ in range(SHORT))
                long_text = short_text * GROWTH  # alike throughout, so only the length differs
                short_ms = max(best_ms(work, short_text, runs=5), 0.2)
                slowest = max(slowest, best_ms(work, long_text[:SIZE]))
                worst = max(worst, (best_ms(work, long_text) / (GROWTH * short_ms), alphabet))
        missed = worst[0] >= MAX_GROWTH or slowest >= limit
        failed |= missed
        print(f"  {'FAIL' if missed else 'ok  '} {label}: worst growth {worst[0]:.2f} (alphabet "
              f"{worst[1]!r}); slowest 4,000-character input {slowest:.2f} ms")
    print("FAILED" if failed else "all targets met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
