"""The scalar reference of the email type: LeadConduit's own steps (``leadconduit-types``
lib/types/email.js) and the libraries it calls, ported:

* ``email-addresses`` 1.1.2 (``rfc5322``): the value, as given, must be exactly one RFC 5322
  address (obsolete forms allowed); ``normal`` is its addr-spec in lower case (comments and
  folding white space dropped), ``user`` and ``domain`` its parts as written;
* ``domain-name-parser``: ``tld`` is what follows the domain's last dot, ``host`` the domain
  without a character and the TLD at its end (a JavaScript RegExp made of the TLD);
* ``@activeprospect/freemail`` 1.5.2 (its lists are ``data/*_email_providers.txt``):
  ``is_free``/``is_disposable`` look up the registrable domain of what follows the value's first
  '@', taken as it is for ``.com`` (case kept) and by tld.js 1.8.0 (Node's legacy ``url.parse``
  for the host, its public-suffix rules in ``data/tldjs_rules.json``, MIT licence, Copyright (c)
  2013 Thomas Parisot) otherwise. Where these throw, LeadConduit marks the email invalid.

Re-exported by ``reference``: callers use ``reference.email``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from ada_url import idna

from . import shapes as S
from ._common import JS_DOT, JS_WS, Row
from .rfc5322 import parse_one_address

__all__ = ["email", "freemail", "registrable_domain"]

EMAIL_COLUMNS = ("raw", "normal", "valid", "user", "domain", "host", "tld", "is_free",
                 "is_disposable")  # fmt: skip


class LibraryError(ValueError):
    """One of the libraries throws on this value: LeadConduit marks the email invalid."""


# ---------------------------------------------------------------------------------------------
# Node's legacy url.parse(url, null, true), as far as tld.js uses it: the hostname
_PROTOCOL = re.compile(r"^[a-z0-9.+-]+:", re.IGNORECASE)
_PORT = re.compile(r":[0-9]*\Z")
_SLASHED = {"http", "https", "ftp", "gopher", "file", "ws", "wss"}
_NON_HOST = frozenset(" \"%';<>\\^`{|}")
_FORBIDDEN_HOST = re.compile(r"[\0\t\n\r #%/:<>?@\[\\\]^|]")
_FORBIDDEN_HOST_IPV6 = re.compile(r"[\0\t\n\r #%/<>?@\\^|]")
HOSTNAME_MAX_LENGTH = 255


def _legacy_trim(url: str) -> str:
    """url.parse's trimming (code points below 33, U+00A0, U+FEFF) and its backslashes turned into
    slashes before the first '?' or '#'."""

    def is_ws(c: str) -> bool:
        return ord(c) < 33 or c in "\xa0\ufeff"

    start = next((i for i, c in enumerate(url) if not is_ws(c)), None)
    if start is None:
        return ""
    end = len(url)
    while is_ws(url[end - 1]):
        end -= 1
    out, split = [], False
    for c in url[start:end]:
        if not split and c == "\\":
            c = "/"
        elif c in "?#":
            split = True
        out.append(c)
    return "".join(out)


def legacy_hostname(url: str) -> str | None:
    """``url.parse(url, null, true).hostname`` for a URL without '@' (None where it has no
    host); raises :class:`LibraryError` where url.parse throws."""
    rest = _legacy_trim(url)
    proto = None
    if m := _PROTOCOL.match(rest):
        proto = m.group(0).lower()
        rest = rest[len(proto) :]
    slashes = rest.startswith("//")
    if slashes and proto != "javascript:":
        rest = rest[2:]
    if proto == "javascript:" or not (slashes or (proto and proto[:-1] not in _SLASHED)):
        return None
    # (the host never holds '@' here, the email being split on it: no user info to skip)
    rest = rest.replace("\t", "").replace("\n", "").replace("\r", "")
    non_host = next((i for i, c in enumerate(rest) if c in _NON_HOST or c in "#/?"), -1)
    host = rest if non_host == -1 else rest[:non_host]
    if m := _PORT.search(host):
        host = host[: m.start()]
    hostname = host
    ipv6 = hostname.startswith("[") and hostname.endswith("]")
    if not ipv6:
        cut = next((i for i, c in enumerate(hostname) if c in "/\\#?:"), None)
        if cut is not None:
            hostname = hostname[:cut]
    hostname = "" if len(hostname) > HOSTNAME_MAX_LENGTH else hostname.lower()
    if hostname:
        if ipv6:
            if _FORBIDDEN_HOST_IPV6.search(hostname):
                raise LibraryError(url)
            hostname = hostname[1:-1]
        else:
            hostname = idna.encode(hostname).decode("ascii")
            if not hostname or _FORBIDDEN_HOST.search(hostname):
                raise LibraryError(url)
    return hostname


# ---------------------------------------------------------------------------------------------
# tld.js 1.8.0: getDomain
_HAS_PREFIX = re.compile(r"^(([a-z][a-z0-9+.-]*)?:)?//")
_INVALID_HOSTNAME = re.compile(r"[^A-Za-z0-9.-]")


def _clean_host(value: str) -> str:
    value = value.strip(JS_WS).lower()
    hostname = legacy_hostname(value if _HAS_PREFIX.match(value) else "//" + value)
    if hostname and not _INVALID_HOSTNAME.search(hostname):
        return hostname.rstrip(".")
    if not _INVALID_HOSTNAME.search(value):
        return value.rstrip(".")
    return ""


@dataclass(frozen=True)
class _Rule:
    first_level: str
    second_level: str | None = None
    exception: bool = False
    wildcard: bool = False

    def normal_xld(self) -> str:
        return (f".{self.second_level}" if self.second_level else "") + f".{self.first_level}"

    def normal_pattern(self) -> str:
        return (rf"\.{self.second_level}" if self.second_level else "") + rf"\.{self.first_level}"

    def pattern(self) -> str:
        if self.exception:
            body = (self.second_level or "") + rf"\.{self.first_level}"
        elif self.wildcard:
            body = r"[^\.]+\.[^\.]+" + self.normal_xld().replace(".", r"\.")
        else:
            body = r"[^\.]+" + self.normal_pattern()
        return f"({body})$"


@cache
def _rules() -> dict[str, str]:
    text = resources.files(__package__).joinpath("data", "tldjs_rules.json").read_text("utf-8")
    return json.loads(text)


@cache
def _rules_for_tld(tld: str) -> tuple[_Rule, ...] | None:
    """getRulesForTld: the rules of a TLD, in the order tld.js tries them (reversed, the TLD's
    own rule last); None when it has none."""
    if tld == "constructor":  # a property of every JavaScript object: tld.js throws
        raise LibraryError(tld)
    listed = _rules().get(tld)
    if listed is None:
        return None
    rules, own = [], True
    for sld in listed.split("|"):
        kind = sld[:1]
        if kind in ("!", "*"):
            sld = sld[1:]
            own = own and bool(sld)
        rules.append(_Rule(tld, sld or None, kind == "!", kind == "*"))
    if own:
        rules.insert(0, _Rule(tld))
    return tuple(reversed(rules))


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    """A rule's pattern, compiled once (a TLD such as museum has hundreds of rules)."""
    return re.compile(pattern)


def _candidate(host: str, rules: tuple[_Rule, ...]) -> _Rule | None:
    normal = exception = None
    for rule in rules:
        if "." + host == rule.normal_xld():
            if rule.exception:
                normal = rule
            break
        if _regex(".+" + rule.normal_pattern() + "$").search(host):
            if rule.exception:
                exception = rule
            else:
                normal = rule
                break
    return exception if normal and exception else normal


@lru_cache(maxsize=1 << 16)
def registrable_domain(host: str) -> str | None:
    """tld.js's ``getDomain(host)``."""
    if "." not in host or host.startswith("."):
        return None
    host = _clean_host(host)
    tld = host.split(".")[-1]
    rules = _rules_for_tld(tld) or (_Rule(tld),)
    rule = _candidate(host, rules)
    if rule is None:
        return None
    m = _regex(rule.pattern()).search(host)
    return m.group(1) if m else None


# ---------------------------------------------------------------------------------------------
# @activeprospect/freemail 1.5.2
def freemail(value: str) -> tuple[bool, bool]:
    """(is_free, is_disposable) of an email value as given; raises :class:`LibraryError` where the
    library throws."""
    parts = value.split("@")
    host = parts[1] if len(parts) > 1 and parts[1] else parts[0]
    labels = host.split(".")
    if len(labels) >= 2 and labels[-1] == "com":
        domain: str | None = ".".join(labels[-2:])
    else:
        domain = registrable_domain(host)
    if not domain:
        return False, False
    disposable = domain in S.disposable_email_domains()
    return disposable or domain in S.free_email_domains(), disposable


# ---------------------------------------------------------------------------------------------
_REGEX_SPECIAL = re.compile(r"[\\^$.|?*+()\[\]{}]")
_JS_NOTHING_TO_REPEAT = re.compile(r"[*+?][*+]")


def _host_of(domain: str, tld: str | None) -> str:
    """``domain.replace(new RegExp(`.${tld}$`), '')``."""
    text = "null" if tld is None else tld
    if not _REGEX_SPECIAL.search(text):
        n = len(text) + 1
        if len(domain) >= n and domain.endswith(text) and re.match(JS_DOT, domain[-n]):
            return domain[:-n]
        return domain
    if _JS_NOTHING_TO_REPEAT.search(text):  # possessive in Python, an error in JavaScript
        raise LibraryError(text)
    try:
        return re.sub(JS_DOT + text + r"\Z", "", domain, count=1)
    except re.error:
        raise LibraryError(text) from None


def email(value: str | None) -> Row:
    row: Row = dict.fromkeys(EMAIL_COLUMNS)
    if value is None:
        return row
    row.update(raw=value, normal=value, valid=False)
    try:
        is_free, is_disposable = freemail(value)
        address = parse_one_address(value)
        if address is None:
            return row
        tld = address.domain.split(".")[-1] or None
        host = _host_of(address.domain, tld)
    except (LibraryError, RecursionError):
        return row
    row.update(normal=address.address.lower(), valid=True, user=address.local,
               domain=address.domain, host=host, tld=tld, is_free=is_free,
               is_disposable=is_disposable)  # fmt: skip
    return row
