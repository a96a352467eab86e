"""The Go side: parsed files and the syntax-only analysis the Go rules share.

* :mod:`.source`  -- :class:`GoFile` (one parse per file, positions, queries, imports,
  ``memo`` for per-file results) and :class:`GoPackage` (the files of a directory).
* :mod:`.imports` -- which package a call or type refers to: aliases, dot imports,
  shadowing locals (:func:`imports.calls`, :func:`imports.is_type`, :func:`imports.is_constructed`).
* :mod:`.scope`   -- Go block scoping without types: :func:`scope.resolve` an identifier to its
  :class:`scope.Binding`, :func:`scope.uses` of a binding classified as :class:`scope.Use`
  (called, method, stored, returned, passed, sent, captured...), function bodies and simple
  flow facts (:func:`scope.never_returns`, :func:`scope.runs_forever_after`,
  :func:`scope.assignment_target`).
* :mod:`.decls`   -- package-wide declarations across files: struct field types, package vars.
* :mod:`.rules`   -- one module per rule, registered with ``@go_rule``.
"""
