"""The scalar reference of url, trustedform_url and ip: LeadConduit's own steps
(``leadconduit-types`` lib/types/url.js, trustedform_url.js, ip.js) on the WHATWG URL parser they
rely on. Node's ``URL`` is the C++ library ada; the ``ada-url`` package pinned here bundles the very
version Node 20 has (ada 2.9.2), so hosts (IDNA, IPv4 in any notation), default ports, percent-
encoding and dot segments come out as they do in LeadConduit.

Re-exported by ``reference``: callers use ``reference.url`` and the rest.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from ada_url import URL

from . import shapes as S
from ._common import JS_WS_CLASS, Row

__all__ = ["ip", "trustedform_url", "url", "url_parts", "whatwg_url"]


def whatwg_url(text: str) -> URL | None:
    """``new URL(text)``, or None where it throws."""
    try:
        return URL(text)
    except ValueError:
        return None


def url_parts(value: str) -> Row | None:
    """url.js: ``http://`` added when the value has no ``://``; valid when the URL parses with an
    http(s) scheme and a host. None when it is not valid; the parts (empty port, query and hash
    as None) otherwise."""
    text = value if S.URL_HAS_SCHEME in value else "http://" + value
    parsed = whatwg_url(text)
    if parsed is None or parsed.protocol not in ("http:", "https:") or not parsed.hostname:
        return None
    return {
        "normal": parsed.href,
        "protocol": parsed.protocol[:-1],
        "host": parsed.host,
        "port": parsed.port or None,
        "path": parsed.pathname,
        "query": parsed.search[1:] or None,
        "hash": parsed.hash or None,
    }


def url(value: str | None) -> Row:
    row: Row = dict.fromkeys(
        ("raw", "normal", "valid", "protocol", "host", "port", "path", "query", "hash")
    )
    if value is None:
        return row
    row.update(raw=value, normal=value, valid=False)
    parts = url_parts(value)
    if parts is not None:
        row.update(parts, valid=True)
    return row


# ---------------------------------------------------------------------------------------------
# trustedform_url
_TF_HOST = re.compile(S.TRUSTEDFORM_HOST)


def _decodes_as_uri(text: str) -> bool:
    """JavaScript's ``decodeURI`` does not throw: every '%' starts an escape of valid UTF-8."""
    if "%" not in text:
        return True
    if re.search(r"%(?![0-9A-Fa-f]{2})", text):
        return False
    try:
        unquote(text, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def trustedform_cert_id(path: str) -> str | None:
    """The certificate id of a TrustedForm URL's path, or None when LeadConduit's library (without
    the secret keys, which only it holds) finds none: the path without its leading '/', lower case
    when it is 40 characters long; an id is one of 40 characters, one starting '0.' or one longer
    than 40 characters (a mobile id, URI-decoded first)."""
    cert_id = path[1:] if path.startswith("/") else path
    if len(cert_id) == S.TRUSTEDFORM_WEB_ID_LENGTH:
        return cert_id.lower()
    if cert_id.startswith("0."):
        return cert_id
    if len(cert_id) > S.TRUSTEDFORM_WEB_ID_LENGTH and _decodes_as_uri(cert_id):
        return cert_id
    return None


def trustedform_url(value: str | None) -> Row:
    """trustedform_url.js as LeadConduit runs it in production: an https URL (url.js) whose host
    contains a production TrustedForm host name, with a certificate id
    (:func:`trustedform_cert_id`).
    An invalid value keeps the URL's normal form when it is a URL. ``type`` is ``web`` for a
    40-hex id (classic web certificates), else null; ``is_masked`` false when valid."""
    row: Row = dict.fromkeys(("raw", "normal", "valid", "cert_id", "type", "is_masked"))
    if value is None:
        return row
    row.update(raw=value, normal=value, valid=False)
    parts = url_parts(value)
    if parts is None:
        return row
    row["normal"] = parts["normal"]
    cert_id = trustedform_cert_id(parts["path"])
    if parts["protocol"] != "https" or not _TF_HOST.search(parts["host"]) or cert_id is None:
        return row
    legacy = bool(re.match(S.TRUSTEDFORM_LEGACY_ID, cert_id))
    row.update(normal=f"https://{parts['host']}/{cert_id}", valid=True, cert_id=cert_id,
               type="web" if legacy else None, is_masked=False)  # fmt: skip
    return row


# ---------------------------------------------------------------------------------------------
# ip
_JS_SPACE = re.compile(JS_WS_CLASS)
_PROTOCOL = re.compile(r"^.*://")
_STARTS_IPV4 = re.compile(S.IP_STARTS_IPV4, re.ASCII)
_BRACKETS = re.compile(r"^\[.*\]")
_IPV6_LIKE = re.compile(
    r"^((::ffff|ffff:):([0-9]{1,3}\.){3}[0-9]{1,3}|(([0-9a-f]{0,4}|:)(:[0-9a-f]{0,4}){0,7}))",
    re.IGNORECASE,
)


def _ip_url(text: str) -> URL | None:
    """ip.js's parseIp: the protocol dropped, an IPv6 address without brackets put in them,
    then read as the host of an https URL."""
    while S.URL_HAS_SCHEME in text:
        text = _PROTOCOL.sub("", text, count=1)
    if not (_STARTS_IPV4.match(text) or _BRACKETS.match(text)):
        text = _IPV6_LIKE.sub(r"[\1]", text, count=1)
    return whatwg_url("https://" + text)


def ip(value: str | None) -> Row:
    """ip.js: every whitespace character removed, then the host of a URL made of it (so IPv4 in
    any notation the URL standard reads, with leading zeros or fewer parts, a port or a path
    after the address)."""
    row: Row = dict.fromkeys(("raw", "normal", "valid", "is_ipv4"))
    if value is None:
        return row
    row.update(raw=value, normal=value, valid=False)
    parsed = _ip_url(_JS_SPACE.sub("", value))
    if parsed is None:
        return row
    hostname = parsed.hostname
    row.update(normal=hostname.replace("[", "").replace("]", ""), valid=True,
               is_ipv4=bool(_STARTS_IPV4.match(hostname)))  # fmt: skip
    return row
