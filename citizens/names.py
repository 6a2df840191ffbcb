"""Names folded for search, so "oestergaard" finds "Østergaard" and "Østergård" finds "Oestergaard".

Danish letters have ASCII spellings people type on a keyboard without them (å → aa, ø → oe, æ → ae);
other accents are dropped (é → e). The citizen's `search_name` column holds the folded
"first last", and a query is folded the same way before it is compared.
"""

import unicodedata

_SPELLED_OUT = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def fold_name(text: str) -> str:
    text = (text or "").lower().translate(_SPELLED_OUT)
    text = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
    return " ".join(text.split())
