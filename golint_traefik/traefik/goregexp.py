"""Would Go's ``regexp.Compile`` accept this pattern?

Traefik compiles the regexp arguments of its ``*Regexp`` matchers with Go's
``regexp`` package: RE2 syntax with Perl extensions
(``regexp/syntax.Perl``).  Python's ``re`` is a different dialect in both
directions -- it accepts look-arounds, backreferences and possessive
quantifiers that Go rejects, and rejects ``\\z``, ``\\pL``, ``\\Q...\\E`` and
``[[:alpha:]]`` that Go accepts -- so :func:`check` is a small validator
written against Go's ``regexp/syntax`` parser: it reports the same errors,
with the offending fragment quoted the way Go quotes it and its offset in
the pattern.

It checks syntax only; the size limits that need the compiled program
(``expression too large``) are not modelled.  Unicode class names
(``\\p{Greek}``) are checked only for the one-letter form; any braced name is
accepted, so a misspelt script name is a missed error, never a false one.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_REPEAT = 1000  # regexp/syntax maxRepeat: one {n,m} count, and the product of nested counts

# Go's ErrorCode texts.
INVALID_CHAR_CLASS = "invalid character class"
INVALID_CHAR_RANGE = "invalid character class range"
INVALID_ESCAPE = "invalid escape sequence"
INVALID_NAMED_CAPTURE = "invalid named capture"
INVALID_PERL_OP = "invalid or unsupported Perl syntax"
INVALID_REPEAT_OP = "invalid nested repetition operator"
INVALID_REPEAT_SIZE = "invalid repeat count"
MISSING_BRACKET = "missing closing ]"
MISSING_PAREN = "missing closing )"
MISSING_REPEAT_ARGUMENT = "missing argument to repetition operator"
TRAILING_BACKSLASH = "trailing backslash at end of expression"
UNEXPECTED_PAREN = "unexpected )"

_POSIX_CLASSES = frozenset({"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
                            "space", "upper", "word", "xdigit"})
_PERL_CLASSES = frozenset("dDsSwW")
_ONE_LETTER_CATEGORIES = frozenset("CLMNPSZ")
_OCTAL = "01234567"
_HEX = "0123456789abcdefABCDEF"


@dataclass(frozen=True)
class RegexpError:
    code: str  # Go's error text, e.g. "invalid or unsupported Perl syntax"
    expr: str  # the fragment Go quotes, e.g. "(?="
    offset: int  # where the fragment starts in the pattern
    hint: str = ""  # what the construct is in other dialects, and what Go offers instead

    @property
    def go_message(self) -> str:
        """The error as Go prints it."""
        return f"error parsing regexp: {self.code}: `{self.expr}`"

    def describe(self) -> str:
        text = f"{self.code}: `{self.expr}`"
        return f"{text} ({self.hint})" if self.hint else text


class _Fail(Exception):
    def __init__(self, code: str, expr: str, offset: int, hint: str = ""):
        super().__init__(code)
        self.error = RegexpError(code, expr, offset, hint)


def check(pattern: str) -> RegexpError | None:
    """The error ``regexp.Compile(pattern)`` returns, or None when Go accepts the pattern."""
    try:
        _Parser(pattern).run()
    except _Fail as fail:
        return fail.error
    return None


def tokens(pattern: str):
    """(offset, token, in a character class) for each token of ``pattern``: an escape (``\\x``, two
    characters) or one character.  A class's opening ``[`` is outside it, its closing ``]`` inside;
    a ``]`` right after ``[`` or ``[^`` is a literal of the class, as in Go."""
    i, n, in_class = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\":
            yield i, pattern[i:i + 2], in_class
            i += 2
            continue
        yield i, c, in_class
        i += 1
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            for lead in ("^", "]"):
                if pattern.startswith(lead, i):
                    yield i, lead, True
                    i += 1


def _isalnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


@dataclass
class _Group:
    start: int
    factor: int = 1  # the largest product of nested {n,m} counts inside the group


class _Parser:
    """One left-to-right pass that keeps just enough state to find Go's parse errors.

    ``can_repeat`` says whether the top of Go's parse stack is something a
    repetition operator can apply to (false at the start, after ``(`` and
    after ``|``); ``factor`` is the nested-repeat product of that item;
    ``last_repeat`` is the start of the repetition just parsed, to reject a
    second one stacked on it (``a**``, the possessive ``a*+``).
    """

    def __init__(self, pattern: str):
        self.s = pattern
        self.groups: list[_Group] = [_Group(0)]
        self.can_repeat = False
        self.factor = 1
        self.last_repeat = -1

    # ------------------------------------------------------------ driver
    def run(self) -> None:
        s = self.s
        i = 0
        while i < len(s):
            c = s[i]
            repeat_at = -1
            if c == "(":
                i = self._open(i)
            elif c == "|":
                self.can_repeat = False
                i += 1
            elif c == ")":
                self._close(i)
                i += 1
            elif c in "*+?":
                i = self._repeat(i, i + 1, 0, -1, is_counted=False)
                repeat_at = self._repeat_start
            elif c == "{":
                parsed = self._parse_count(i)
                if parsed is None:
                    self._item()  # not a repetition: a literal '{'
                    i += 1
                else:
                    lo, hi, end = parsed
                    if lo < 0 or lo > MAX_REPEAT or hi > MAX_REPEAT or (hi >= 0 and lo > hi):
                        raise _Fail(INVALID_REPEAT_SIZE, s[i:end], i, f"counts above {MAX_REPEAT} or min > max")
                    i = self._repeat(i, end, lo, hi, is_counted=True)
                    repeat_at = self._repeat_start
            elif c == "[":
                i = self._class(i)
                self._item()
            elif c == "\\":
                i = self._escape_outside_class(i)
            else:
                self._item()
                i += 1
            self.last_repeat = repeat_at
        if len(self.groups) > 1:
            raise _Fail(MISSING_PAREN, s, self.groups[-1].start, "a group is not closed")

    def _item(self, factor: int = 1) -> None:
        self.can_repeat = True
        self.factor = factor
        g = self.groups[-1]
        g.factor = max(g.factor, factor)

    # ------------------------------------------------------------ groups
    def _open(self, i: int) -> int:
        s = self.s
        if s.startswith("(?", i):
            return self._perl_group(i)
        self.groups.append(_Group(i))
        self.can_repeat = False
        return i + 1

    def _close(self, i: int) -> None:
        if len(self.groups) == 1:
            raise _Fail(UNEXPECTED_PAREN, self.s, i, "no group is open here")
        g = self.groups.pop()
        self._item(g.factor)

    def _perl_group(self, i: int) -> int:
        s = self.s
        rest = s[i:]
        starts_p = len(rest) > 4 and rest[2] == "P" and rest[3] == "<"
        starts_name = len(rest) > 3 and rest[2] == "<"
        if starts_p or starts_name:
            name_at = 4 if starts_p else 3
            end = rest.find(">")
            hint = ""
            if starts_name and len(rest) > 3 and rest[3] in "=!":
                hint = "look-behind is not supported by Go's RE2 engine"
            if end < 0:
                raise _Fail(INVALID_NAMED_CAPTURE, rest, i, hint)
            name = rest[name_at:end]
            if not name or not all(ch == "_" or _isalnum(ch) for ch in name):
                raise _Fail(INVALID_NAMED_CAPTURE, rest[: end + 1], i, hint or "names are letters, digits and _")
            self.groups.append(_Group(i))
            self.can_repeat = False
            return i + end + 1
        j = i + 2
        sign = 1
        saw_flag = False
        while j < len(s):
            c = s[j]
            j += 1
            if c in "imsU":
                saw_flag = True
            elif c == "-":
                if sign < 0:
                    break
                sign = -1
                saw_flag = False
            elif c in ":)":
                if sign < 0 and not saw_flag:
                    break
                if c == ":":
                    self.groups.append(_Group(i))
                    self.can_repeat = False
                return j
            else:
                break
        frag = s[i:j]
        raise _Fail(INVALID_PERL_OP, frag, i, _perl_hint(frag))

    # -------------------------------------------------------- repetition
    def _repeat(self, start: int, after: int, lo: int, hi: int, *, is_counted: bool) -> int:
        s = self.s
        if after < len(s) and s[after] == "?":
            after += 1  # non-greedy
        self._repeat_start = start
        if self.last_repeat >= 0:
            frag = s[self.last_repeat:after]
            hint = "possessive quantifiers are not supported by Go's RE2 engine" if s[start] == "+" else ""
            raise _Fail(INVALID_REPEAT_OP, frag, self.last_repeat, hint)
        if not self.can_repeat:
            raise _Fail(MISSING_REPEAT_ARGUMENT, s[start:after], start, "nothing before it to repeat")
        if is_counted and (lo >= 2 or hi >= 2):
            m = hi if hi >= 0 else lo
            if m > 0 and m * self.factor > MAX_REPEAT:
                raise _Fail(INVALID_REPEAT_SIZE, s[start:after], start,
                            f"nested counts multiply to more than {MAX_REPEAT}")
        if is_counted:
            m = hi if hi >= 0 else lo
            self._item(self.factor * m if m > 0 else self.factor)
        return after

    def _parse_count(self, i: int) -> tuple[int, int, int] | None:
        """``{n}``, ``{n,}`` or ``{n,m}`` at ``i``: (min, max, end) with max -1 for open; -1 min when too big."""
        s = self.s
        j = i + 1
        lo, j = self._int(j)
        if lo is None or j >= len(s):
            return None
        if s[j] == ",":
            j += 1
            if j >= len(s):
                return None
            if s[j] == "}":
                hi = -1
            else:
                hi, j = self._int(j)
                if hi is None:
                    return None
                if hi < 0:
                    lo = -1
        else:
            hi = lo
        if j >= len(s) or s[j] != "}":
            return None
        return lo, hi, j + 1

    def _int(self, j: int) -> tuple[int | None, int]:
        s = self.s
        if j >= len(s) or not ("0" <= s[j] <= "9"):
            return None, j
        if s[j] == "0" and j + 1 < len(s) and "0" <= s[j + 1] <= "9":
            return None, j  # leading zeros: not a count
        k = j
        while k < len(s) and "0" <= s[k] <= "9":
            k += 1
        digits = s[j:k]
        n = int(digits) if len(digits) <= 9 else 10**9
        return (n if n < 10**8 else -1), k

    # ---------------------------------------------------------- escapes
    def _escape_outside_class(self, i: int) -> int:
        s = self.s
        if i + 1 < len(s):
            c = s[i + 1]
            if c in "AbBz":
                self._item()
                return i + 2
            if c == "C":
                raise _Fail(INVALID_ESCAPE, "\\C", i, "\\C (any byte) is not supported")
            if c == "Q":
                end = s.find("\\E", i + 2)
                lit = s[i + 2:] if end < 0 else s[i + 2:end]
                if lit:
                    self._item()
                return len(s) if end < 0 else end + 2
            if c in "pP":
                end = self._unicode_class(i)
                self._item()
                return end
            if c in _PERL_CLASSES:
                self._item()
                return i + 2
        end = self._single_escape(i)
        self._item()
        return end

    def _single_escape(self, i: int) -> int:
        """An ordinary escape (``\\.``, ``\\n``, ``\\x41``, ``\\012``); returns the index after it."""
        s = self.s
        if i + 1 >= len(s):
            raise _Fail(TRAILING_BACKSLASH, "", i, "escape the backslash as \\\\")
        c = s[i + 1]
        j = i + 2
        if c.isascii() and not c.isalnum():
            return j  # escaped punctuation is itself
        if c in "1234567" and j < len(s) and s[j] in _OCTAL or c == "0":
            for _ in range(2):
                if j < len(s) and s[j] in _OCTAL:
                    j += 1
            return j
        if c == "x" and j < len(s):
            if s[j] == "{":
                k = j + 1
                value = 0
                while k < len(s) and s[k] in _HEX:
                    value = value * 16 + int(s[k], 16)
                    if value > 0x10FFFF:
                        break
                    k += 1
                if k < len(s) and s[k] == "}" and k > j + 1 and value <= 0x10FFFF:
                    return k + 1
                raise _Fail(INVALID_ESCAPE, s[i:min(k + 1, len(s))], i, "\\x{...} takes hexadecimal digits")
            if j + 1 < len(s) and s[j] in _HEX and s[j + 1] in _HEX:
                return j + 2
            raise _Fail(INVALID_ESCAPE, s[i:min(j + 2, len(s))], i, "\\x takes two hexadecimal digits")
        if c in "afnrtv":
            return j
        raise _Fail(INVALID_ESCAPE, s[i:j], i, _escape_hint(c))

    def _unicode_class(self, i: int) -> int:
        s = self.s
        if i + 2 >= len(s):
            raise _Fail(INVALID_CHAR_RANGE, s[i:], i, "\\p needs a class name")
        if s[i + 2] != "{":
            name = s[i + 2]
            if name.upper() not in _ONE_LETTER_CATEGORIES:
                raise _Fail(INVALID_CHAR_RANGE, s[i:i + 3], i, "unknown Unicode class")
            return i + 3
        end = s.find("}", i)
        if end < 0:
            raise _Fail(INVALID_CHAR_RANGE, s[i:], i, "\\p{ is not closed")
        name = s[i + 3:end].lstrip("^")
        if not name:
            raise _Fail(INVALID_CHAR_RANGE, s[i:end + 1], i, "empty Unicode class name")
        return end + 1

    # ------------------------------------------------- character classes
    def _class(self, i: int) -> int:
        """A ``[...]`` class starting at ``i``; returns the index after ``]``."""
        s = self.s
        j = i + 1
        if j < len(s) and s[j] == "^":
            j += 1
        first = True
        while True:
            if j >= len(s):
                raise _Fail(MISSING_BRACKET, s[i:], i, "the character class is not closed")
            if s[j] == "]" and not first:
                return j + 1
            first = False
            if s.startswith("[:", j):
                close = s.find(":]", j + 2)
                if close >= 0:
                    name = s[j + 2:close]
                    if name.lstrip("^") not in _POSIX_CLASSES or name.count("^") > 1 or "^" in name[1:]:
                        raise _Fail(INVALID_CHAR_RANGE, s[j:close + 2], j, "unknown POSIX class")
                    j = close + 2
                    continue
            if s[j] == "\\" and j + 1 < len(s) and s[j + 1] in "pP":
                j = self._unicode_class(j)
                continue
            if s[j] == "\\" and j + 1 < len(s) and s[j + 1] in _PERL_CLASSES:
                j += 2
                continue
            lo_at = j
            lo, j = self._class_char(j, i)
            if j + 1 < len(s) and s[j] == "-" and s[j + 1] != "]":
                hi, k = self._class_char(j + 1, i)
                if hi < lo:
                    raise _Fail(INVALID_CHAR_RANGE, s[lo_at:k], lo_at, "the range runs backwards")
                j = k

    def _class_char(self, j: int, class_start: int) -> tuple[int, int]:
        """The code point at ``j`` inside a class (escapes decoded) and the index after it."""
        s = self.s
        if j >= len(s):
            raise _Fail(MISSING_BRACKET, s[class_start:], class_start, "the character class is not closed")
        if s[j] != "\\":
            return ord(s[j]), j + 1
        if j + 1 < len(s) and s[j + 1] == "b":
            raise _Fail(INVALID_ESCAPE, "\\b", j, "\\b is not a backspace inside [...] in Go; use \\x08")
        end = self._single_escape(j)
        return _escape_value(s[j:end]), end


def _escape_value(esc: str) -> int:
    """The code point an ordinary escape stands for (only its order matters: class ranges)."""
    c = esc[1]
    if c.isascii() and not c.isalnum():
        return ord(c)
    if c in _OCTAL:
        return int(esc[1:], 8)
    if c == "x":
        digits = esc[3:-1] if esc[2:3] == "{" else esc[2:4]
        return int(digits, 16)
    return {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}[c]


def _perl_hint(frag: str) -> str:
    if frag.startswith(("(?=", "(?!")):
        return "look-ahead is not supported by Go's RE2 engine"
    if frag.startswith("(?>"):
        return "atomic groups are not supported by Go's RE2 engine"
    if frag.startswith("(?#"):
        return "inline comments are not supported"
    if frag.startswith("(?P"):
        return "only (?P<name>...) is supported; backreferences (?P=name) are not"
    if frag.startswith("(?'"):
        return "write named groups as (?P<name>...)"
    return "Go supports only the flags i, m, s and U"


def _escape_hint(c: str) -> str:
    if c in "123456789":
        return "backreferences are not supported by Go's RE2 engine"
    if c == "Z":
        return "use \\z for the end of text"
    if c in "hHRXKGkgeE":
        return f"\\{c} is a PCRE escape that Go does not support"
    if not c.isascii():
        return "only ASCII punctuation can be escaped"
    return "Go escapes are \\a \\f \\n \\r \\t \\v, octal, \\x, \\d \\s \\w, \\b \\A \\z, \\p and escaped punctuation"
