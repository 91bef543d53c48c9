"""Which `runpod` requirement installs runpod 2.0 (project/sdk_version.py), compared with
`packaging`, the PEP 440 implementation pip itself uses: `runpod2_admits` is what pip installs
by default (a pre-release only when a clause names one); `runpod2_excluded` is a range that
rules every 2.0 release out whatever the pre-release policy, so it can only install 1.x."""

from __future__ import annotations

import pytest

from flash_guard.project.sdk_version import runpod2_admits, runpod2_excluded
from flash_guard.sdk.runpod2_tables import SDK_VERSION

try:
    from packaging.specifiers import SpecifierSet
except ModuleNotFoundError:  # pip vendors the same library
    from pip._vendor.packaging.specifiers import SpecifierSet

SPECIFIERS = [
    "<2",
    "<2.0",
    "<2.0.0rc1",
    "<=1.12",
    "~=1.7",
    "==1.*",
    ">=1.7,<2",
    ">=1.7",
    "<3",
    ">=2.0.0rc1",
    "==2.0.0rc2",
    ">=2.0.0a1,<3",
    "!=2.0.0rc2",
    ">1.12",
    "==2.*",
]


@pytest.mark.parametrize("specifier", SPECIFIERS)
def test_admits_agrees_with_pip(specifier):
    # pip's policy: a pre-release only when a clause names one (with no fallback to the
    # pre-releases when no final release matches: `pip install "runpod>1.12"` finds nothing).
    specifiers = SpecifierSet(specifier)
    expected = specifiers.contains(SDK_VERSION, prereleases=bool(specifiers.prereleases))
    assert runpod2_admits(SDK_VERSION, specifier) == expected


@pytest.mark.parametrize("specifier", SPECIFIERS)
def test_excluded_agrees_with_pip_allowing_pre_releases(specifier):
    ruled_out = not any(
        SpecifierSet(specifier).contains(v, prereleases=True) for v in (SDK_VERSION, "2.0.0")
    )
    assert runpod2_excluded(specifier) == ruled_out
