import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

SHARED = Path(__file__).resolve().parents[2] / "shared"
# In CI (.ci/run sets GOLINT_TRAEFIK_REQUIRE_SHARED=1) material from ../shared must be present.
REQUIRE_SHARED = os.environ.get("GOLINT_TRAEFIK_REQUIRE_SHARED") == "1"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip (fail in CI) with a clear reason when it is absent.

    In CI a missing file fails the test -- except when a whole top-level
    collection (``corpus/traefik-docs``) was not provided to this machine at
    all: then the tests that read it skip, saying so loudly, because there is
    nothing to make mandatory.  Once the collection is present, every file the
    tests expect in it is mandatory.
    """
    p = SHARED.joinpath(*parts)
    if not p.exists():
        reason = f"{p} is absent (../shared is only beside a developer's or CI's clone)"
        collection = SHARED.joinpath(*parts[:2]) if parts and parts[0] == "corpus" else None
        if REQUIRE_SHARED and not (collection is not None and not collection.exists()):
            pytest.fail(reason)
        if collection is not None and not collection.exists():
            reason = f"{collection} was not provided on this machine; corpus tests cannot run"
        pytest.skip(reason)
    return p
