"""Masking secrets (passwords in DSNs, API keys, JWTs, webhook URLs) in text bound for logs, error
messages, the database or an alert."""

import re
from collections.abc import Iterable

MASK = "***"

_REDACTIONS = [
    # scheme://user:password@host of any scheme (postgresql, mysql, redis, https...): everything up to
    # the last "@" of the word is masked, so a password holding "@" or "/" is not half shown
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)\S*@", re.IGNORECASE), rf"\1{MASK}@"),
    (re.compile(r"(password\s*=\s*)[^\s'\"&]+", re.IGNORECASE), rf"\1{MASK}"),  # key=value DSN, sslpassword
    (re.compile(r"(\bapikey[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&]+", re.IGNORECASE), rf"\1{MASK}"),
    # ?token=...&api_key=...&sig=... in any URL
    (re.compile(r"([?&][\w.-]*(?:token|secret|key|sig|signature)=)[^\s&#'\"]+", re.IGNORECASE), rf"\1{MASK}"),
    (re.compile(r"(\bBearer\s+)[^\s\"',;]+", re.IGNORECASE), rf"\1{MASK}"),
    (re.compile(r"\beyJ[\w-]+(?:\.[\w-]+){0,2}"), MASK),  # JWT (Supabase anon/service_role keys)
    (re.compile(r"\bsb_secret_[\w-]+"), f"sb_secret_{MASK}"),
]


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with the given secrets (e.g. the webhook URL) and every credential pattern masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text
