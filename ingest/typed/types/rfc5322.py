"""RFC 5322 addresses as LeadConduit reads them: a port of the npm package ``email-addresses``
1.1.2 (``parseOneAddress`` with its defaults: extended ASCII in quoted strings, the obsolete forms
of section 4 when the strict grammar does not read the whole value), production for production,
with the same backtracking. Only what the email type needs is kept: the semantic text (comments
and folding white space left out, quoted pairs unescaped) of the address, its local part and its
domain.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["Address", "parse_one_address"]


class Address(NamedTuple):
    address: str
    local: str
    domain: str


@dataclass
class Node:
    name: str
    tokens: str = ""
    semantic: str = ""
    children: list[Node | None] = field(default_factory=list)


class _State:
    __slots__ = ("pos", "strict", "text")

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.strict = text, 0, True


Prod = Callable[[_State], Node | None]


def _wrap(name: str, ast: Node | None) -> Node | None:
    if ast is None:
        return None
    return Node(name, ast.tokens, ast.semantic, [ast])


def _add(parent: Node, child: Node | None) -> Node:
    if child is not None:
        parent.tokens += child.tokens
        parent.semantic += child.semantic
    parent.children.append(child)
    return parent


def _token(accept: Callable[[str], bool]) -> Prod:
    def prod(s: _State) -> Node | None:
        if s.pos >= len(s.text):
            return None
        tok = s.text[s.pos]
        if accept(tok):
            s.pos += 1
            return Node("token", tok, tok)
        return None

    return prod


def _literal(lit: str) -> Prod:
    token = _token(lambda tok: tok == lit)
    return lambda s: _wrap("literal", token(s))


def _and(*prods: Prod) -> Prod:
    def prod(s: _State) -> Node | None:
        start = s.pos
        node = Node("and")
        for p in prods:
            result = p(s)
            if result is None:
                s.pos = start
                return None
            _add(node, result)
        return node

    return prod


def _or(*prods: Prod) -> Prod:
    def prod(s: _State) -> Node | None:
        start = s.pos
        for p in prods:
            result = p(s)
            if result is not None:
                return result
            s.pos = start
        return None

    return prod


def _opt(p: Prod) -> Prod:
    def prod(s: _State) -> Node | None:
        start = s.pos
        result = p(s)
        if result is not None:
            return result
        s.pos = start
        return Node("opt")

    return prod


def _invis(p: Prod) -> Prod:
    def prod(s: _State) -> Node | None:
        result = p(s)
        if result is not None:
            result.semantic = ""
        return result

    return prod


def _star(p: Prod, minimum: int = 0) -> Prod:
    def prod(s: _State) -> Node | None:
        start = s.pos
        node = Node("star")
        count = 0
        while (result := p(s)) is not None:
            count += 1
            _add(node, result)
        if count >= minimum:
            return node
        s.pos = start
        return None

    return prod


def _named(name: str, p: Prod) -> Prod:
    return lambda s: _wrap(name, p(s))


def _obs(name: str, p: Prod) -> Prod:
    """An obsolete production: nothing in the strict pass."""
    return lambda s: None if s.strict else _wrap(name, p(s))


def _later(get: Callable[[], Prod]) -> Prod:
    """A production defined further down (the grammar is recursive)."""
    return lambda s: get()(s)


def _code_in(*ranges: tuple[int, int]) -> Callable[[str], bool]:
    return lambda tok: any(lo <= ord(tok) <= hi for lo, hi in ranges)


# RFC 5234 core rules
cr = _named("cr", _literal("\r"))
lf = _named("lf", _literal("\n"))
crlf = _named("crlf", _and(cr, lf))
dquote = _named("dquote", _literal('"'))
htab = _named("htab", _literal("\t"))
sp = _named("sp", _literal(" "))
vchar = _named("vchar", _token(_code_in((0x21, 0x7E))))
wsp = _named("wsp", _or(sp, htab))

# 4.1 obsolete tokens
obs_no_ws_ctl = _obs("obs-NO-WS-CTL", _token(_code_in((1, 8), (11, 12), (14, 31), (127, 127))))
obs_ctext = _obs("obs-ctext", obs_no_ws_ctl)
obs_qtext = _obs("obs-qtext", obs_no_ws_ctl)
obs_qp = _obs("obs-qp", _and(_literal("\\"), _or(_literal("\0"), obs_no_ws_ctl, lf, cr)))


# 3.2.1 quoted characters
def quoted_pair(s: _State) -> Node | None:
    qp = _wrap("quoted-pair", _or(_and(_literal("\\"), _or(vchar, wsp)), obs_qp)(s))
    if qp is None:
        return None
    # the backslash is semantically invisible
    qp.semantic = qp.semantic[1] if len(qp.semantic) > 1 else ""
    return qp


# 3.2.2 folding white space and comments
obs_fws = _obs("obs-FWS", _star(_and(_invis(_opt(crlf)), wsp), 1))
fws = _named("fws", _or(obs_fws, _and(_opt(_and(_star(wsp), _invis(crlf))), _star(wsp, 1))))
ctext = _named("ctext", _or(_token(_code_in((33, 39), (42, 91), (93, 126))), obs_ctext))
comment: Prod = _named(
    "comment",
    _and(
        _literal("("),
        _star(_and(_opt(fws), _later(lambda: ccontent))),
        _opt(fws),
        _literal(")"),
    ),
)
ccontent = _named("ccontent", _or(ctext, quoted_pair, comment))
cfws = _named("cfws", _or(_and(_star(_and(_opt(fws), comment), 1), _opt(fws)), fws))

# 3.2.3 atom
_ATEXT_EXTRA = frozenset("!#$%&'*+-/=?^_`{|}~")
atext = _named(
    "atext",
    _token(lambda t: "a" <= t <= "z" or "A" <= t <= "Z" or "0" <= t <= "9" or t in _ATEXT_EXTRA),
)
atom = _named("atom", _and(_invis(_opt(cfws)), _star(atext, 1), _invis(_opt(cfws))))


def dot_atom_text(s: _State) -> Node | None:
    node = _wrap("dot-atom-text", _star(atext, 1)(s))
    if node is None:
        return None
    more = _star(_and(_literal("."), _star(atext, 1)))(s)
    if more is not None:
        _add(node, more)
    return node


dot_atom = _named("dot-atom", _and(_invis(_opt(cfws)), dot_atom_text, _invis(_opt(cfws))))

# 3.2.4 quoted strings (extended ASCII allowed, as parseOneAddress does)
qtext = _named(
    "qtext",
    _or(
        _token(
            lambda t: ord(t) == 33 or 35 <= ord(t) <= 91 or 93 <= ord(t) <= 126 or ord(t) >= 128
        ),
        obs_qtext,
    ),
)
qcontent = _named("qcontent", _or(qtext, quoted_pair))
quoted_string = _named(
    "quoted-string",
    _and(
        _invis(_opt(cfws)),
        dquote,
        _star(_and(_opt(fws), qcontent)),
        _opt(fws),
        dquote,
        _invis(_opt(cfws)),
    ),
)

# 3.2.5 miscellaneous tokens
word = _named("word", _or(atom, quoted_string))
obs_phrase = _obs("obs-phrase", _and(word, _star(_or(word, _literal("."), _invis(cfws)))))
phrase = _named("phrase", _or(_star(word, 1), obs_phrase))

# 3.4.1 addr-spec
obs_local_part = _obs("obs-local-part", _and(word, _star(_and(_literal("."), word))))
local_part = _named("local-part", _or(obs_local_part, dot_atom, quoted_string))
obs_dtext = _obs("obs-dtext", _or(obs_no_ws_ctl, quoted_pair))
dtext = _named("dtext", _or(_token(_code_in((33, 90), (94, 126))), obs_dtext))
domain_literal = _named(
    "domain-literal",
    _and(
        _invis(_opt(cfws)),
        _literal("["),
        _star(_and(_opt(fws), dtext)),
        _opt(fws),
        _literal("]"),
        _invis(_opt(cfws)),
    ),
)
obs_domain = _obs("obs-domain", _and(atom, _star(_and(_literal("."), atom))))
domain = _named("domain", _or(obs_domain, dot_atom, domain_literal))
addr_spec = _named("addr-spec", _and(local_part, _literal("@"), domain))

# 3.4 address specification, with the obsolete forms of 4.4
display_name = _named("display-name", phrase)
obs_domain_list = _obs(
    "obs-domain-list",
    _and(
        _star(_or(_invis(cfws), _literal(","))),
        _literal("@"),
        domain,
        _star(_and(_literal(","), _invis(_opt(cfws)), _opt(_and(_literal("@"), domain)))),
    ),
)
obs_route = _obs("obs-route", _and(obs_domain_list, _literal(":")))
obs_angle_addr = _obs(
    "obs-angle-addr",
    _and(
        _invis(_opt(cfws)),
        _literal("<"),
        obs_route,
        addr_spec,
        _literal(">"),
        _invis(_opt(cfws)),
    ),
)
angle_addr = _named(
    "angle-addr",
    _or(
        _and(_invis(_opt(cfws)), _literal("<"), addr_spec, _literal(">"), _invis(_opt(cfws))),
        obs_angle_addr,
    ),
)
name_addr = _named("name-addr", _and(_opt(display_name), angle_addr))
mailbox = _named("mailbox", _or(name_addr, addr_spec))


def _lists(name: str, obsolete_name: str, item: Prod) -> Prod:
    """``item *("," item)``, else its obsolete form ``*([CFWS] ",") item *("," [item / CFWS])``
    (RFC 5322 3.4 and 4.4: mailbox-list and address-list)."""
    obsolete = _obs(
        obsolete_name,
        _and(
            _star(_and(_invis(_opt(cfws)), _literal(","))),
            item,
            _star(_and(_literal(","), _opt(_and(item, _invis(cfws))))),
        ),
    )
    return _named(name, _or(_and(item, _star(_and(_literal(","), item))), obsolete))


mailbox_list = _lists("mailbox-list", "obs-mbox-list", mailbox)
obs_group_list = _obs(
    "obs-group-list",
    _and(_star(_and(_invis(_opt(cfws)), _literal(",")), 1), _invis(_opt(cfws))),
)
group_list = _named("group-list", _or(mailbox_list, _invis(cfws), obs_group_list))
group = _named(
    "group",
    _and(display_name, _literal(":"), _opt(group_list), _literal(";"), _invis(_opt(cfws))),
)
address = _named("address", _or(mailbox, group))
address_list = _lists("address-list", "obs-addr-list", address)


def _find_all(name: str, root: Node | None) -> list[Node]:
    """Breadth first, as the library looks."""
    found: list[Node] = []
    queue = [root] if root is not None else []
    while queue:
        node = queue.pop(0)
        if node is None:  # the library would throw here: no node has a None child it visits
            continue
        if node.name == name:
            found.append(node)
        queue.extend(node.children)
    return found


def _find(name: str, root: Node | None) -> Node | None:
    found = _find_all(name, root)
    return found[0] if found else None


def never_an_address(text: str) -> bool:
    """True for a value that cannot be one: without '@' (every addr-spec has one) or with a
    character beyond ASCII outside a quoted string (only qtext takes them), i.e. without '"'."""
    return "@" not in text or ('"' not in text and not text.isascii())


_ATEXT = "-A-Za-z0-9!#$%&'*+/=?^_`{|}~"
_PLAIN = re.compile(rf"([{_ATEXT}]+(?:\.[{_ATEXT}]+)*)@([{_ATEXT}]+(?:\.[{_ATEXT}]+)*)\Z")


def parse_one_address(text: str) -> Address | None:
    """``parseOneAddress(text)``: None when the value is not exactly one address (or, as a
    group without a mailbox, one without an addr-spec)."""
    if never_an_address(text):
        return None
    if plain := _PLAIN.match(text):  # the strict grammar reads it whole, as one addr-spec
        return Address(text, plain.group(1), plain.group(2))
    state = _State(text)
    parsed = address_list(state)
    if state.pos < len(text):
        state.pos, state.strict = 0, False
        parsed = address_list(state)
        if state.pos < len(text):
            return None
    if parsed is None:
        return None
    addresses = _find_all("address", parsed)
    if len(addresses) != 1:
        return None
    spec = _find("addr-spec", addresses[0])
    if spec is None:  # a group without a mailbox: LeadConduit fails reading it, so invalid
        return None
    local, dom = _find("local-part", spec), _find("domain", spec)
    assert local is not None and dom is not None
    return Address(spec.semantic, local.semantic, dom.semantic)
