"""One module decides profiles (checklist/profiles.py), for evaluation and suppression alike.

The regression: a suppression in a file with no endpoints used to be judged under the run's
default profile, whatever the file's path mapping or pragma said, so FG003 called it unused
for a rule that profile does not even run.
"""

from __future__ import annotations

from conftest import findings_of

HELPERS = """\
from runpod_flash import GpuType  # flash-guard: ignore[FG101] pinned by the ops team
PIN = GpuType.NVIDIA_L4
"""


def test_path_mapped_file_without_endpoints_uses_its_profile_for_fg003(project, check_json):
    root = project(
        {
            "dev/helpers.py": HELPERS,
            "prod/helpers.py": HELPERS,
            ".flash-guard.yaml": "profiles:\n  development:\n    paths: ['dev/**']\n",
        }
    )
    _, doc = check_json(root)
    # FG101 is off in development: the suppression in dev/ is not "unused" there. In prod/ it
    # is on and suppresses nothing, so FG003 says so.
    assert findings_of(doc, "FG003") == [("FG003", "prod/helpers.py", 1, 35)]


def test_profile_pragma_in_a_file_without_endpoints_is_honoured(project, check_json):
    root = project(
        {
            "helpers.py": "# flash-guard: profile=development\n" + HELPERS,
            "other.py": HELPERS,
        }
    )
    _, doc = check_json(root)
    assert findings_of(doc, "FG003") == [("FG003", "other.py", 1, 35)]
