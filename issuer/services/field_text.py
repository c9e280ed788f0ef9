"""Characters that no typed field needs and that break the store or the canonical form.

PostgreSQL text cannot hold NUL; C0 and C1 control characters have no place in a name, an
email address or a reason (and make logs and N-Quads hard to read); a lone surrogate is not
Unicode at all, so it cannot be written as UTF-8, signed or stored. Fields that hold prose
(an evidence narrative) may keep tabs and line breaks, including a browser's CR LF.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from issuer.services.errors import UNACCEPTABLE_TEXT, Malformed

_SURROGATES = "\ud800-\udfff"
_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_SURROGATES}]")
_PROSE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_SURROGATES}]")
_SURROGATE = re.compile(f"[{_SURROGATES}]")

# Members of a completion that hold prose, as JSON pointers.
_PROSE_MEMBERS = re.compile(r"^/evidence/\d+/narrative$")


def _describe(value: str, match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    char = match.group()
    kind = "a lone surrogate" if _SURROGATE.fullmatch(char) else "a control character"
    return f"holds {kind} (U+{ord(char):04X}) at character {match.start() + 1}"


def bad_character(value: str, prose: bool = False) -> str | None:
    """Why ``value`` cannot be kept (naming its first bad character), or None."""
    return _describe(value, (_PROSE if prose else _LINE).search(value))


def _texts(body: Any) -> Iterator[tuple[str, str, bool]]:
    """(JSON pointer, text, is a member name) for every string and member name of ``body``,
    in document order."""
    stack: list[tuple[str, Any]] = [("", body)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, str):
            yield pointer or "/", value, False
        elif isinstance(value, dict):
            for key in value:
                yield pointer or "/", str(key), True
            stack.extend((f"{pointer}/{str(k).replace('~', '~0').replace('/', '~1')}", v)
                         for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((f"{pointer}/{i}", v) for i, v in reversed(list(enumerate(value))))


def _error(pointer: str, reason: str, is_name: bool) -> dict[str, str]:
    return {"pointer": pointer, "detail": f"a member name {reason}" if is_name else reason}


def text_errors(body: Any) -> list[dict[str, str]]:
    """Every string and member name of a request body (a completion, a batch row, a token
    or learner record request) holding a character it may not, as {"pointer", "detail"}."""
    errors = []
    for pointer, text, is_name in _texts(body):
        reason = bad_character(text, prose=not is_name and bool(_PROSE_MEMBERS.match(pointer)))
        if reason:
            errors.append(_error(pointer, reason, is_name))
    return errors


def text_problem(errors: list[dict[str, str]], detail: str | None = None) -> Malformed:
    """The 400 for text refused at the door, naming where."""
    first = errors[0]
    return Malformed(detail or f"{first['pointer']}: {first['detail']}",
                     code=UNACCEPTABLE_TEXT, errors=errors)


def check_text(body: Any) -> None:
    """400 if any field of a request body holds a character it may not."""
    errors = text_errors(body)
    if errors:
        raise text_problem(errors[:20])


def check_reason(reason: str | None) -> None:
    """400 if a revocation or suspension reason holds a character it may not."""
    if reason is not None and (why := bad_character(reason)):
        raise text_problem([{"pointer": "/reason", "detail": why}])


def refuse_lone_surrogates(body: Any) -> None:
    """400 naming the first string or member name of a JSON document holding a lone
    surrogate. JSON's grammar allows ``"\\ud800"``, but it is no Unicode text: it can be
    neither written as UTF-8 nor canonicalized, signed or stored. Every other character
    JSON allows, NUL included, is kept (the store keeps JSON text, with escapes)."""
    for pointer, text, is_name in _texts(body):
        reason = _describe(text, _SURROGATE.search(text))
        if reason:
            raise text_problem([_error(pointer, reason, is_name)])


def printable(text: str) -> str:
    """``text`` with the characters fields may not hold written as escapes (for messages
    that quote what was sent, such as a failed row's reason)."""
    return _LINE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
