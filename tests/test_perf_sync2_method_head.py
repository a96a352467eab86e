"""``syncfacts.method_head`` reads a method's receiver from the text when the head is plain: it must say
what the tree says (``receiver_of`` and the declaration's name), for every head, plain or not."""

from __future__ import annotations

import pytest

from golint_traefik.go import syncfacts
from golint_traefik.go.source import GoFile

from go_sources import go_sources


HEADS = """package p

type T struct{}
type G[K comparable, V any] struct{}
type é struct{}
type Té struct{}

func (t *T) A()                 {}
func (t T) B()                  {}
func (T) C()                    {}
func (*T) D()                   {}
func (_ *T) E()                 {}
func (t*T) F()                  {}
func (t *T,) G()                {}
func (t (*T)) H()               {}
func (t (T)) I()                {}
func (g *G[K, V]) J()           {}
func (g G[K, V]) K()            {}
func (G[_, _]) L()              {}
func (g *G [K,V]) M()           {}
func (t /* c */ *T) N()         {}
func (t *T) /* c */ O()         {}
func (t *T) // c
P() {}
func (
	t *T,
) Q() {}
func (chan T) R()               {}
func (e é) S()                  {}
func (t *Té) U()                {}
func (t *T) Vé()                {}
func (té *T) W()                {}
func (t *T) X ()                {}
func (t *T) Y() (r int)         { return }
func	(t	*T)	Z()             {}
func (t *pkgT) AA()             {}
func (t [4]T) AB()              {}
func (t map[T]T) AC()           {}
func (t func()) AD()            {}
func (t struct{}) AE()          {}
"""


def _head_from_tree(f: GoFile, m):
    r = syncfacts.receiver_of(f, m)
    if r is None:
        return None
    name = m.child_by_field_name("name")
    return r[0], r[1], r[2], f.text(name) if name is not None else None


def _sources():
    return go_sources("heads.go", HEADS, ("sync", "net/http", "go/types", "runtime", "reflect", "syscall"))


def test_method_head_says_what_the_tree_says():
    checked = fallbacks = 0
    for path, src in _sources():
        f = GoFile(path, src)
        if f.has_error:
            assert path != "heads.go"
            continue
        for m in f.top_by_type.get("method_declaration", ()):
            assert syncfacts.method_head(f, m) == _head_from_tree(f, m), (path, m.start_point, f.text(m)[:60])
            checked += 1
            fallbacks += syncfacts._METHOD_HEAD.match(src, m.start_byte) is None
    assert checked > 30 and fallbacks  # both ways were taken


def test_heads_file_parses_and_keyword_receivers_go_to_the_tree():
    f = GoFile("heads.go", HEADS.encode())
    assert not f.has_error
    heads = {h[3]: h for h in (syncfacts.method_head(f, m) for m in f.top_by_type["method_declaration"])
             if h is not None}
    assert heads["A"] == ("T", "t", True, "A")
    assert heads["C"] == ("T", None, False, "C")
    assert heads["E"] == ("T", None, True, "E")
    assert heads["J"] == ("G", "g", True, "J")
    assert "R" not in heads  # `(chan T)` is a channel type: no receiver type name
    assert heads["S"] == ("é", "e", False, "S")
    assert heads["Vé"][3] == "Vé"
    for m in f.top_by_type["method_declaration"]:
        if f.text(m.child_by_field_name("name")) == "R":
            assert syncfacts._METHOD_HEAD.match(f.src, m.start_byte) is not None  # the keyword check decides


@pytest.mark.parametrize("text", ["func (t *T) A() {}", "func (T) B() {}", "func (g *G[K, V]) C() {}"])
def test_plain_heads_are_read_from_the_text(text):
    assert syncfacts._METHOD_HEAD.match(text.encode()) is not None


def test_a_tree_with_errors_is_read_on_the_tree():
    src = HEADS.encode() + b"\nfunc (t *T) Broken( {\n"
    f = GoFile("broken.go", src)
    assert f.has_error
    methods = f.top_by_type.get("method_declaration", ())
    assert methods
    for m in methods:
        assert syncfacts.method_head(f, m) == _head_from_tree(f, m)
