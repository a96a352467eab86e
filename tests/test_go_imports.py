"""The import set of a Go file, read from the text of its import blocks, agrees with the tree."""

from __future__ import annotations

import pytest

from golint_traefik.go.source import GoFile, _specs_from_text

SRC = b'''package p

import "fmt"
import importer "example.com/importer" // a name that starts like the keyword
import (
	. "time" // "not/a/path" in a comment
	_ "net/http/pprof"; ctx "context"
	raw `example.com/raw`
	\xc3\xa9t\xc3\xa9 "example.com/summer"
)
import (
	sync /* a block comment: read from the tree */ "sync"
)

var _ = fmt.Sprint
'''


def test_text_and_tree_agree():
    f = GoFile("p.go", SRC)
    assert not f.root.has_error
    assert f._import_specs == (
        (None, "fmt"), ("importer", "example.com/importer"), (".", "time"), ("_", "net/http/pprof"),
        ("ctx", "context"), ("raw", "example.com/raw"), ("\u00e9t\u00e9", "example.com/summer"), ("sync", "sync"),
    )
    for decl in (d for d in f.top if d.type == "import_declaration"):
        text = f.text(decl)
        from_text = _specs_from_text(text)
        assert from_text is None if "/*" in text else from_text == f._specs_from_tree(decl)
    assert f.imports == {"fmt": "fmt", "importer": "example.com/importer", "ctx": "context",
                         "raw": "example.com/raw", "\u00e9t\u00e9": "example.com/summer", "sync": "sync"}
    assert f.dot_imports == frozenset({"time"})
    assert f.used_imports == frozenset(f.imports.values()) | {"time"}


@pytest.mark.parametrize("text", ['import foo"x"', "import (\n\tfoo bar\n)", 'import "x" + "y"'])
def test_text_that_is_not_only_specs_goes_to_the_tree(text):
    assert _specs_from_text(text) is None


@pytest.mark.parametrize("src", [
    b"package p\nfunc f() { wg.Add(1); go g(); wg.Wait() }\n",
    b"package p\nfunc f() { x.Add(.Done()) }\n",  # adjacent members of the family
    b"package p\nfunc f() { x.Wait(); y.Waiting() }\n",
    b"package p\n// .Done() in a comment counts too: has() is a text test\n",
    b"package p\n",
])
def test_has_is_token_in_source(src):
    """GoFile.has (one scan for a family of words, or one per word) answers like ``in``."""
    f = GoFile("p.go", src)
    for token in (b".Done()", b".Wait()", b".Add(", b"go ", b"Lock()", b"net/http/pprof", b"Waiting"):
        assert f.has(token) is (token in src), token


@pytest.mark.parametrize("src, head", [
    (b"// Copyright\n\n/* doc */\npackage p\n\nimport \"fmt\"\n\n// c\nimport \"os\"\n\nfunc f() {}\n", True),
    (b"package p\n\nfunc f() {}\n\n// an import in a comment costs the short way, never the answer\n", False),
    (b"package p\n\nfunc f() {}\n\nimport \"os\"\n", False),  # accepted by tree-sitter, not by Go
    (b"func f() {}\n\npackage p\n\nimport \"os\"\n", False),
    (b"package p\n", True),
])
def test_the_file_head_gives_what_every_top_level_node_gives(src, head):
    short, full = GoFile("p.go", src), GoFile("p.go", src)
    full.top_by_type  # noqa: B018 - with every top-level node known, the answers come from them
    assert (short._head is not None) == head
    assert (short.package_name, short._import_specs) == (full.package_name, full._import_specs)
    assert full._head is None
