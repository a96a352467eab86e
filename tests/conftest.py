import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

SHARED = Path(__file__).resolve().parents[2] / "shared"
# In CI (.ci/run sets GOLINT_TRAEFIK_REQUIRE_SHARED=1) material from ../shared must be present.
REQUIRE_SHARED = os.environ.get("GOLINT_TRAEFIK_REQUIRE_SHARED") == "1"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip (fail in CI) with a clear reason when it is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        reason = f"{p} is absent (../shared is only beside a developer's or CI's clone)"
        if REQUIRE_SHARED:
            pytest.fail(reason)
        pytest.skip(reason)
    return p
