"""TR110 broken-template-action: a {{ }} in a file-provider file that Traefik's Go template rendering rejects."""

import re

from golint_traefik.passes import TraefikPass
from golint_traefik.registry import traefik_rule
from golint_traefik.traefik.tree import SourceText

# text/template keywords and builtins, sprig v3.2.3 (TxtFuncMap) and Traefik's own additions
# (pkg/provider/file/file.go: normalize, split).
_KEYWORDS = frozenset("if else end range with define template block break continue nil true false".split())
_BUILTINS = frozenset("and call html index slice js len not or print printf println urlquery eq ge gt le lt ne".split())
_SPRIG = frozenset("""
hello ago date date_in_zone date_modify dateInZone dateModify duration durationRound htmlDate htmlDateInZone
must_date_modify mustDateModify mustToDate now toDate unixEpoch abbrev abbrevboth trunc trim upper lower title
untitle substr repeat trimall trimAll trimSuffix trimPrefix nospace initials randAlphaNum randAlpha randAscii
randNumeric randSeededNumeric swapcase shuffle snakecase camelcase kebabcase wrap wrapWith contains hasPrefix
hasSuffix quote squote cat indent nindent replace plural sha1sum sha256sum sha512sum adler32sum toString atoi int64
int float64 seq toDecimal split splitList splitn toStrings until untilStep add1 add sub div mod mul randInt add1f
addf subf divf mulf biggest max min maxf minf ceil floor round join sortAlpha default empty coalesce all any compact
mustCompact fromJson toJson toPrettyJson toRawJson mustFromJson mustToJson mustToPrettyJson mustToRawJson ternary
deepCopy mustDeepCopy typeOf typeIs typeIsLike kindOf kindIs deepEqual env expandenv getHostByName base dir clean
ext isAbs osBase osClean osDir osExt osIsAbs b64enc b64dec b32enc b32dec tuple list dict get set unset hasKey pluck
keys pick omit merge mergeOverwrite mustMerge mustMergeOverwrite values append push mustAppend mustPush prepend
mustPrepend first mustFirst rest mustRest last mustLast initial mustInitial reverse mustReverse uniq mustUniq
without mustWithout has mustHas mustSlice concat dig chunk mustChunk bcrypt htpasswd genPrivateKey derivePassword
buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey
encryptAES decryptAES randBytes uuidv4 semver semverCompare fail regexMatch mustRegexMatch regexFindAll
mustRegexFindAll regexFind mustRegexFind regexReplaceAll mustRegexReplaceAll regexReplaceAllLiteral
mustRegexReplaceAllLiteral regexSplit mustRegexSplit regexQuoteMeta urlParse urlJoin normalize
""".split())
_KNOWN = _KEYWORDS | _BUILTINS | _SPRIG
# Other template languages rendered before Traefik sees the file (Helm, Jinja/Ansible): not Traefik's business.
_OTHER_TEMPLATES = re.compile(r"\{%|\{#|\.Values\b|\.Release\b|\.Chart\b|\binclude\s+\"")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|\'(?:[^\'\\]|\\.)*\'|/\*.*?\*/|\$[\w.]*|\.[A-Za-z_][\w.]*|[A-Za-z_]\w*|\S', re.S)


@traefik_rule("TR110")
def check(p: TraefikPass) -> None:
    paths = sorted({d.path for d in p.project.dynamic if d.provider == "file"})
    for path in paths:
        text = p.project.texts.get(path, "")
        if "{{" not in text or _OTHER_TEMPLATES.search(text):
            continue
        src = SourceText(path, text)
        scopes = 0  # open range/with blocks: inside them "." is not the (empty) data
        pos = 0
        while True:
            start = text.find("{{", pos)
            if start < 0:
                break
            end = text.find("}}", start + 2)
            if end < 0:
                p.report(src.span(start, start + 2), 'this "{{" opens a template action that is never closed: Traefik '
                         "renders file-provider files as Go templates, cannot parse this one and rejects it",
                         fix='close the action with "}}", or write the braces as {{ "{{" }}')
                break
            body = text[start + 2:end].strip().strip("-").strip()
            pos = end + 2
            words = [t for t in _TOKEN.findall(body) if not t.startswith("/*")]
            if words and words[0] in ("range", "with"):
                scopes += 1
            elif words and words[0] == "end":
                scopes = max(0, scopes - 1)
            problem = _problem(words, scopes)
            if problem:
                action = text[start:end + 2].replace("\n", " ")
                p.report(src.span(start, end + 2), f"template action {action}: {problem}; Traefik rejects the file",
                         fix='use {{ env "NAME" }} for environment variables' if "field" in problem
                         else "use a Go template or sprig function, or remove the action")


def _problem(words: list[str], scopes: int) -> str | None:
    for word in words:
        if word[0].isalpha() or word[0] == "_":
            if word not in _KNOWN:
                return f'"{word}" is not a template function ("function {word} not defined")'
        elif (word.startswith(".") and scopes == 0) or word.startswith("$."):
            field = word.lstrip("$.").split(".")[0]
            if field:
                return (f'Traefik renders the file with no data, so "{word}" cannot be evaluated '
                        f'("can\'t evaluate field {field}")')
    return None
