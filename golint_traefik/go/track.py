"""What each file's findings read from the other files of its package, for re-analysing an edit.

The Go rules of a file see its whole package (the package-level facts: functions, lock holders,
fields...), so an edit to one file could change the findings of any other.  Analysing the package
again costs a parse of all its files; for the largest packages (a hundred generated files) that is
most of a second.  Instead, while a package is analysed with the cache on, every read of another
file is recorded per file:

* a *full* read: the file's tree, text or anything derived from them;
* a *fact*: the file's package clause, its imports, or whether its text holds a word (``has``)
  or a named pattern (``finds``); these are compared again after an edit, and equal means
  unaffected.

Reads made while a memoised package fact is built are the fact's own (its build is a frame of its
own); a file that reads the memo entry later depends on them too.  The package's cache entry holds
each file's findings, and its reads are kept beside it.  When one file of the package changes, a
file is analysed again only if it read the edited file in full, or read one of its facts and that
fact changed.  Everything else is
reused, and the other files are parsed only if an analysis needs them (:class:`TrackedGoFile` parses
on first use).

A memo value must not change after it is stored (:func:`check_sealed`, used by the tests, finds
those that do), except in a :class:`GroupMemo`, whose entries all read as one.  An entry stored
without a miss before it is charged with every frame from the innermost file's rules up (a superset
of what computed it).
"""

from __future__ import annotations

from golint_traefik.go.source import PATTERNS, GoFile, GoPackage, head_from_text, parser


class Frame:
    """The reads of one file's rules (``owner``) or of one memo entry's build (``key``)."""

    __slots__ = ("owner", "key", "full", "facts", "reads")

    def __init__(self, owner=None, key=None):
        self.owner = owner
        self.key = key
        self.full: set = set()
        self.facts: dict = {}  # (file, fact) -> value
        self.reads: set = set()  # frames of the memo entries read

    def merge(self, other: Frame) -> None:
        self.full |= other.full
        self.facts.update(other.facts)
        self.reads |= other.reads


_STACK: list[Frame] = [Frame()]  # the bottom frame gathers reads nobody asks about


def reset() -> None:
    _STACK[:] = [Frame()]


class owner_frame:
    """``with owner_frame(f) as frame``: the reads of ``f``'s rules go to ``frame``."""

    def __init__(self, f):
        self.frame = Frame(owner=f)

    def __enter__(self) -> Frame:
        self.depth = len(_STACK)
        _STACK.append(self.frame)
        return self.frame

    def __exit__(self, *exc) -> None:
        while len(_STACK) > self.depth + 1:  # builds left open (a probe never stored, an exception)
            self.frame.merge(_STACK.pop())
        del _STACK[self.depth:]


class TrackedMemo(dict):
    """A memo (``package.memo``, ``file.memo``) whose entries remember the frame that built them."""

    __slots__ = ("frames", "sizes")

    def __init__(self):
        super().__init__()
        self.frames: dict = {}
        self.sizes: dict = {}

    def _miss(self, key) -> None:
        _STACK.append(Frame(key=(self, key)))

    def __getitem__(self, key):
        try:
            value = dict.__getitem__(self, key)
        except KeyError:
            self._miss(key)
            raise
        _STACK[-1].reads.add(self.frames.get(key))
        return value

    def get(self, key, default=None):
        if dict.__contains__(self, key):
            return self[key]
        self._miss(key)
        return default

    def __contains__(self, key) -> bool:
        if dict.__contains__(self, key):
            _STACK[-1].reads.add(self.frames.get(key))
            return True
        self._miss(key)
        return False

    def __setitem__(self, key, value) -> None:
        dict.__setitem__(self, key, value)
        self.sizes[key] = _size(value)
        for i in range(len(_STACK) - 1, 0, -1):
            frame = _STACK[i]
            if frame.owner is not None:
                break  # the build started before this file's rules ran: not in this stack
            if frame.key is not None and frame.key[0] is self and frame.key[1] == key:
                for above in _STACK[i + 1:]:
                    frame.merge(above)
                del _STACK[i:]
                if not frame.reads and not frame.facts:  # most entries: read nothing but a file
                    if not frame.full:
                        frame = None
                    elif len(frame.full) == 1:
                        (f,) = frame.full
                        frame = f._whole
                self.frames[key] = frame
                _STACK[-1].reads.add(frame)
                return
        self.frames[key] = _writers()  # stored without a miss

    def clear(self) -> None:
        dict.clear(self)
        self.frames.clear()
        self.sizes.clear()


def _writers() -> Frame:
    """A frame that reads every frame from the innermost file's rules up: whatever a value stored now
    was computed from was read in one of them (they live on, so what is read later is in too)."""
    frame = Frame()
    for fr in reversed(_STACK):
        frame.reads.add(fr)
        if fr.owner is not None:
            break
    return frame


class GroupMemo(dict):
    """A memo that a search fills several entries of at a time, each from what the others say (the
    functions that may lock, through their callees): an entry's value may rest on reads made before it
    was asked for, by any file's rules.  Every entry reads as the whole memo: all that its writers read."""

    __slots__ = ("group",)

    def __init__(self):
        super().__init__()
        self.group = Frame()

    def __getitem__(self, key):
        _STACK[-1].reads.add(self.group)
        return dict.__getitem__(self, key)

    def get(self, key, default=None):
        _STACK[-1].reads.add(self.group)
        return dict.get(self, key, default)

    def __contains__(self, key) -> bool:
        _STACK[-1].reads.add(self.group)
        return dict.__contains__(self, key)

    def __setitem__(self, key, value) -> None:
        dict.__setitem__(self, key, value)
        self.group.reads.add(_writers())


def _size(value) -> int:
    return len(value) if isinstance(value, (list, dict, set)) else -1


def check_sealed(memos) -> list:
    """The keys of memo values (lists, dicts, sets) that changed size after they were stored: their
    frame would not hold what filled them.  None should (a search's memo is a :class:`GroupMemo`);
    the tests check it after analysing their fixtures."""
    return [key for memo in memos for key, value in dict.items(memo)
            if not isinstance(value, GroupMemo) and memo.sizes.get(key, -1) != _size(value)]


def _quietly(f, compute, *args):
    """``compute(f, *args)`` with ``f``'s reads of itself unrecorded (computing one of its facts)."""
    _STACK.append(f._quiet)
    try:
        return compute(f, *args)
    finally:
        _STACK.pop()


def _note(f, fact, value) -> None:
    """Record that the frame on top read ``fact`` of ``f`` (unless it is ``f``'s own)."""
    top = _STACK[-1]
    if top.owner is not f:
        top.facts[(f, fact)] = value


def _full_property(name: str):
    compute = getattr(GoFile, name).func

    def get(self):
        top = _STACK[-1]
        if top.owner is not self:
            top.full.add(self)
        try:
            return self._c[name]
        except KeyError:
            value = self._c[name] = compute(self)
            return value

    return property(get)


def _fact_property(name: str, fact: str, from_text: bool = False):
    """A property read as the ``pkg`` fact (``package_name``) or the ``imp`` fact (the imports);
    ``from_text``: the head is read from the text while the file is not parsed."""
    compute = getattr(GoFile, name).func
    source = "package_name" if fact == "pkg" else "_import_specs"

    def get(self):
        c = self._c
        try:
            value = c[name]
        except KeyError:
            head = head_from_text(self._src) if from_text and self._tree is None else None
            if head is not None:
                c["package_name"], c["_import_specs"] = head
                value = c[name]
            else:
                value = c[name] = _quietly(self, compute)
        _note(self, fact, c[source])
        return value

    return property(get)


class TrackedGoFile(GoFile):
    """A :class:`GoFile` that records who reads it (see the module docstring) and parses on first use."""

    def __init__(self, path: str, src: bytes, go_version: tuple[int, int] = (1, 22)):
        self.path = path
        self._src = src
        self.go_version = go_version
        self._tree = None
        self._root = None
        self._ascii = src.isascii()
        self._bom = src.startswith(b"\xef\xbb\xbf")
        self.memo = TrackedMemo()
        self._has = {}
        self._c: dict = {}
        self._quiet = Frame(owner=self)  # on top while the file computes a fact of its own
        self._whole = Frame()  # the frame of the memo entries that read this file, and nothing else
        self._whole.full.add(self)

    @property
    def src(self) -> bytes:
        top = _STACK[-1]
        if top.owner is not self:
            top.full.add(self)
        return self._src

    @property
    def tree(self):
        top = _STACK[-1]
        if top.owner is not self:
            top.full.add(self)
        if self._tree is None:
            self._tree = parser().parse(self._src)
        return self._tree

    @property
    def root(self):
        top = _STACK[-1]
        if top.owner is not self:
            top.full.add(self)
        root = self._root
        if root is None:
            root = self._root = self.tree.root_node
        return root

    def size(self) -> int:
        return len(self._src)  # not a read: no finding depends on it

    def text(self, node) -> str:
        # Not a read of its own: whoever holds a node of this file read its tree to get it.
        return self._src[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def _probe(self, kind: str, arg, compute) -> bool:
        """:meth:`has` or :meth:`finds` (``compute``), recorded as a fact."""
        found = self._has.get(arg)
        if found is None:
            found = _quietly(self, compute, arg)
        _note(self, (kind, arg), found)
        return found

    def has(self, token: bytes) -> bool:
        return self._probe("has", token, GoFile.has)

    def finds(self, name: str) -> bool:
        return self._probe("finds", name, GoFile.finds)

    # Derived from the tree or the text: a read of either.
    _line_starts = _full_property("_line_starts")
    top = _full_property("top")
    top_by_type = _full_property("top_by_type")
    _head = _full_property("_head")
    # Facts: compared again after an edit.
    package_name = _fact_property("package_name", "pkg", from_text=True)
    _import_specs = _fact_property("_import_specs", "imp", from_text=True)
    imports = _fact_property("imports", "imp")
    dot_imports = _fact_property("dot_imports", "imp")
    used_imports = _fact_property("used_imports", "imp")

    def fact(self, fact) -> object:
        """The value of ``fact`` (``"pkg"``, ``"imp"``, ``("has", word)`` or ``("finds", pattern name)``),
        read without recording; None for a pattern unknown here."""
        if fact == "pkg":
            return _quietly(self, lambda f: f.package_name)
        if fact == "imp":
            return _quietly(self, lambda f: f._import_specs)
        if fact[0] == "finds":
            return _quietly(self, TrackedGoFile.finds, fact[1]) if fact[1] in PATTERNS else None
        return _quietly(self, TrackedGoFile.has, fact[1])


class TrackedPackage(GoPackage):
    def __init__(self, directory: str, files: list[GoFile]):
        super().__init__(directory, files)
        self.memo = TrackedMemo()

    def release(self, frames: list = ()) -> None:
        """As :meth:`GoPackage.release`, and the frames emptied (``frames``: the files' rules' frames):
        they refer to each other and to the files, cycles that would keep every tree alive until a
        full collection."""
        seen: set[int] = set()
        todo = [fr for fr in frames if isinstance(fr, Frame)]
        for f in self.files:
            todo += [f._whole, f._quiet]
            todo += [fr for fr in f.memo.frames.values() if fr is not None]
        todo += [fr for fr in self.memo.frames.values() if fr is not None]
        todo += [v.group for v in dict.values(self.memo) if isinstance(v, GroupMemo)]
        while todo:
            fr = todo.pop()
            if id(fr) in seen:
                continue
            seen.add(id(fr))
            todo.extend(r for r in fr.reads if r is not None)
            fr.owner = fr.key = None
            fr.full.clear()
            fr.facts.clear()
            fr.reads.clear()
        super().release()
        for f in self.files:
            f._c.clear()

    @staticmethod
    def group_memo() -> dict:
        return GroupMemo()


# ------------------------------------------------------------------ records
#
# What a package's analysis read, kept in its cache entry (JSON):
#   files   the display paths of the files analysed, in order (every source: records are kept only
#           when none was unreadable or broken)
#   n       how many of the entry's findings each file has, in that order
#   owners  the frame of each file's rules
#   frames  [owner file or -1, files read in full, [file, fact] read, frames read], one per frame
#           the files' frames reach
#   facts   per file, {fact: value} of its facts that were read ("pkg", "imp", "h:<word>", "r:<pattern name>")
# A frame is dirty after an edit when its owner changed, it read a changed file in full, or a fact
# that changed; so is every frame that read a dirty one.  A file whose frame is clean keeps its findings.


def _fact_key(fact) -> str:
    if isinstance(fact, str):
        return fact
    if fact[0] == "has":
        return "h:" + fact[1].decode("latin-1")
    return "r:" + fact[1]


def _fact_of(key: str):
    if key.startswith("h:"):
        return ("has", key[2:].encode("latin-1"))
    if key.startswith("r:"):
        return ("finds", key[2:])
    return key


def _fact_json(value):
    return [list(spec) for spec in value] if isinstance(value, tuple) else value


def records(files: list, frames: list, counts: list[int], prev: dict | None) -> dict:
    """The records of a package analysed with tracking: ``frames`` holds, per file, the frame of its
    rules, or (its findings reused) the index of its frame in ``prev``."""
    index = {id(f): i for i, f in enumerate(files)}
    facts: list[dict] = [{} for _ in files]
    out: list = []
    ids: dict[int, int] = {}
    todo: list = []

    def new(frame: Frame) -> int:
        ids[id(frame)] = n = len(out)
        out.append(None)
        todo.append(frame)
        return n

    owners = []
    for frame in frames:
        if isinstance(frame, Frame):
            owners.append(ids[id(frame)] if id(frame) in ids else new(frame))
        else:
            owners.append(-1 - frame)  # an old frame: numbered below
    while todo:
        fr = todo.pop()
        read = []
        for (g, fact), value in fr.facts.items():
            j = index.get(id(g))
            if j is not None:
                k = _fact_key(fact)
                if k not in facts[j]:
                    facts[j][k] = _fact_json(value)
                read.append([j, k])
        out[ids[id(fr)]] = [index.get(id(fr.owner), -1), sorted(index[id(g)] for g in fr.full if id(g) in index), read,
                            [ids[id(r)] if id(r) in ids else new(r) for r in fr.reads if r is not None]]
    if prev is not None:  # the frames of the reused files, as they were (clean, so their reads still hold)
        old: dict[int, int] = {}
        stack = [-1 - o for o in owners if o < 0]
        while stack:
            k = stack.pop()
            if k in old:
                continue
            old[k] = len(out)
            out.append(None)
            stack.extend(prev["frames"][k][3])
        for k, at in old.items():
            owner, full, read, reads = prev["frames"][k]
            out[at] = [owner, full, read, [old[r] for r in reads]]
            for j, key in read:
                facts[j].setdefault(key, prev["facts"][j][key])
        owners = [old[-1 - o] if o < 0 else o for o in owners]
    return {"files": [f.path for f in files], "n": counts, "owners": owners, "frames": out, "facts": facts}


def reusable(prev: dict, files: list, changed: set[str]) -> dict:
    """display path -> (findings, its frame in ``prev``) of the files whose findings ``prev`` gives and
    whose reads the files in ``changed`` leave as they were."""
    if [f.path for f in files] != prev["files"]:
        return {}
    touched = {i for i, f in enumerate(files) if f.path in changed}
    moved = {(j, k) for j in touched for k, v in prev["facts"][j].items() if _fact_json(files[j].fact(_fact_of(k))) != v}
    frames = prev["frames"]
    readers: list[list[int]] = [[] for _ in frames]
    dirty = []
    for i, (owner, full, read, reads) in enumerate(frames):
        for r in reads:
            readers[r].append(i)
        if owner in touched or not touched.isdisjoint(full) or any((j, k) in moved for j, k in read):
            dirty.append(i)
    bad = set(dirty)
    while dirty:
        for r in readers[dirty.pop()]:
            if r not in bad:
                bad.add(r)
                dirty.append(r)
    out = {}
    at = 0
    old = prev["findings"]
    for i, f in enumerate(files):
        n = prev["n"][i]
        mine, at = old[at:at + n], at + n
        if i not in touched and prev["owners"][i] not in bad:
            out[f.path] = (mine, prev["owners"][i])
    return out


def checked(inc, n: int) -> dict | None:
    """``inc`` (a cache entry's records, untrusted) if it has the shape :func:`records` gives, for
    ``n`` files; else None."""
    files, counts, owners, frames, facts = inc["files"], inc["n"], inc["owners"], inc["frames"], inc["facts"]
    m = len(frames)

    def ints(xs, top):
        return type(xs) is list and all(type(x) is int and 0 <= x < top for x in xs)

    ok = (type(files) is list and len(files) == len(counts) == len(owners) == len(facts) == n
          and all(type(x) is str for x in files) and ints(counts, 1 << 62) and ints(owners, m)
          and type(frames) is list and all(type(t) is dict for t in facts))
    if ok:
        for fr in frames:
            if not (type(fr) is list and len(fr) == 4 and type(fr[0]) is int and -1 <= fr[0] < n
                    and ints(fr[1], n) and ints(fr[3], m) and type(fr[2]) is list
                    and all(type(x) is list and len(x) == 2 and ints(x[:1], n) and type(x[1]) is str
                            and x[1] in facts[x[0]] for x in fr[2])):
                return None
    return {"files": files, "n": counts, "owners": owners, "frames": frames, "facts": facts} if ok else None
