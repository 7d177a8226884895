"""GSTIN: the format and the mod-36 check character, and the GST state codes.

A GSTIN is 15 characters: the 2-digit state code, the holder's 10-character PAN, the entity number
(1-9, A-Z), the letter Z (reserved), and a check character. The check character is the standard
mod-36 (Luhn mod N) one: over the first 14 characters, each value (0-9, A-Z = 10-35) is multiplied
by 1 and 2 alternately; each product adds its quotient and remainder by 36; the check is
(36 - sum mod 36) mod 36.
"""

import re

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
GSTIN_FORMAT = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")

# GST state / union territory codes (CBIC list).
STATE_CODES = {
    "01": "Jammu and Kashmir", "02": "Himachal Pradesh", "03": "Punjab", "04": "Chandigarh",
    "05": "Uttarakhand", "06": "Haryana", "07": "Delhi", "08": "Rajasthan", "09": "Uttar Pradesh",
    "10": "Bihar", "11": "Sikkim", "12": "Arunachal Pradesh", "13": "Nagaland", "14": "Manipur",
    "15": "Mizoram", "16": "Tripura", "17": "Meghalaya", "18": "Assam", "19": "West Bengal",
    "20": "Jharkhand", "21": "Odisha", "22": "Chhattisgarh", "23": "Madhya Pradesh", "24": "Gujarat",
    "26": "Dadra and Nagar Haveli and Daman and Diu", "27": "Maharashtra", "29": "Karnataka",
    "30": "Goa", "31": "Lakshadweep", "32": "Kerala", "33": "Tamil Nadu", "34": "Puducherry",
    "35": "Andaman and Nicobar Islands", "36": "Telangana", "37": "Andhra Pradesh", "38": "Ladakh",
}  # fmt: skip
STATE_NAMES = {name.lower(): code for code, name in STATE_CODES.items()}


def check_character(first14: str) -> str:
    total = 0
    for index, char in enumerate(first14):
        product = ALPHABET.index(char) * (2 if index % 2 else 1)
        total += product // 36 + product % 36
    return ALPHABET[(36 - total % 36) % 36]


def gstin_error(value: str) -> str | None:
    """Why `value` is not a valid GSTIN, or None when it is."""
    if not GSTIN_FORMAT.match(value):
        return "Not a GSTIN: 2-digit state code, 10-character PAN, entity number, Z, check character."
    if value[:2] not in STATE_CODES:
        return f"Unknown GST state code {value[:2]}."
    if check_character(value[:14]) != value[14]:
        return "The check character does not match: a mistyped GSTIN."
    return None


def state_code(name: str | None) -> str | None:
    """The GST code of a state or union territory name (any case), or None."""
    return STATE_NAMES.get((name or "").strip().lower())
