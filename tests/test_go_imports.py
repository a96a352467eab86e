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
