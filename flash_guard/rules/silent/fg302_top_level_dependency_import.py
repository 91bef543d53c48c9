"""FG302: a package listed in `dependencies=` that the declaring file imports at module level."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flash_guard.checks.base import Check, fail_at, param_doc, register, unknown
from flash_guard.checks.placement import classify, runtime_provisioned
from flash_guard.checks.sites import build_calls, dependency_args, uses
from flash_guard.model import Value
from flash_guard.sdk.distributions import (
    RUNPOD2_INSTALL,
    SDK_DEPENDENCIES,
    normalise,
    with_requirements,
)
from flash_guard.sdk.in_use import dev_command, sdk_of

# Distributions whose import name differs from the name pip installs. Names on both sides
# are compared after PEP 503 normalisation (case, and `-`/`_`/`.` runs are equal).
IMPORT_NAMES = {
    "pillow": "PIL",
    "opencv-python": "cv2",
    "opencv-python-headless": "cv2",
    "opencv-contrib-python": "cv2",
    "opencv-contrib-python-headless": "cv2",
    "scikit-learn": "sklearn",
    "scikit-image": "skimage",
    "beautifulsoup4": "bs4",
    "pyyaml": "yaml",
    "python-dotenv": "dotenv",
    "python-dateutil": "dateutil",
    "python-multipart": "multipart",
    "pymupdf": "fitz",
    "pyjwt": "jwt",
    "pycryptodome": "Crypto",
    "faiss-cpu": "faiss",
    "faiss-gpu": "faiss",
    "onnxruntime-gpu": "onnxruntime",
    "tensorflow-gpu": "tensorflow",
    "llama-cpp-python": "llama_cpp",
    "openai-whisper": "whisper",
    "ffmpeg-python": "ffmpeg",
    "nvidia-ml-py": "pynvml",
    "umap-learn": "umap",
    "psycopg2-binary": "psycopg2",
    "pyzmq": "zmq",
    "attrs": "attr",
}
RUNPOD2_INSTALL_NAMES = frozenset(normalise(name) for name in RUNPOD2_INSTALL)
# What installing runpod-flash (or tetra-rp) brings wherever `flash build`/`flash dev` runs:
# both require `runpod`, which requires `fastapi[all]`, requests, aiohttp, boto3, ...
FLASH_INSTALL_NAMES = frozenset(with_requirements({normalise(n) for n in SDK_DEPENDENCIES}))
_NAME = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass
class Params:
    import_names: dict[str, str] = param_doc(
        default=IMPORT_NAMES,
        doc="Distribution name -> the top-level module it installs, where they differ "
        "(`pillow` -> `PIL`). Other distributions are matched by name, ignoring case and "
        "`-`/`_`/`.`. Setting this replaces the whole map.",
    )


def requirement_name(spec: str) -> str | None:
    """The distribution a pip requirement names (`torch==2.4` -> `torch`), or None for
    options, paths and URLs without `#egg=`."""
    spec = spec.strip()
    if not spec or spec.startswith(("-", ".", "/")):
        return None
    if "://" in spec:
        if " @ " in spec:
            spec = spec.split(" @ ", 1)[0]
        else:
            egg = _EGG.search(spec)
            return egg.group(1) if egg else None
    match = _NAME.match(spec)
    return match.group(1) if match else None


@register
class DependencyImports(Check):
    """Collects the packages in `dependencies=` (legacy: on `@remote(...)`), including ones
    that come through a constant, and maps each requirement to the module it installs
    (`pillow` -> `PIL`, see `import_names`). It fails at every module-level import of such a
    module in the files that declare the endpoint: the file with the declaration and the
    files whose functions it decorates or routes. Imports in a module-level `if`/`try` block
    count, since they run on import; ones under `if TYPE_CHECKING:` or `if __name__ ==
    "__main__":` do not, nor do relative imports or imports inside functions. A package the
    SDK's own install brings (runpod-flash and tetra-rp require `runpod`, which requires
    `fastapi[all]`, requests, aiohttp, boto3, ...; runpod 2.0 likewise) imports wherever the
    CLI runs and is not reported. When an element
    of `dependencies` is not statically known and nothing else fails, it reports FG002. A
    runtime-provisioned declaration (see FG301) is not checked: the script that builds it runs
    where its imports are installed, and `flash build` never imports it."""

    id = "top-level-dependency-import"
    Params = Params

    def check(self, endpoint, params: Params, ctx):
        analysis = ctx.analysis
        if runtime_provisioned(endpoint, analysis) is not None:
            # A script that builds and runs the endpoint itself imports its modules where it
            # runs; `flash build` never imports it (FG301's info).
            return []
        files = analysis.modules.files
        wanted: dict[str, str] = {}  # normalised module -> the requirement that installs it
        undecided: list[Value] = []
        mapping = {normalise(k): v for k, v in params.import_names.items()}
        # runpod 2.0 imports the module on the worker too, and its own install brings these
        # wherever `rp flash deploy`/`dev` runs: a module-level `from fastapi import APIRouter`
        # beside dependencies=["fastapi"] imports fine everywhere.
        # So does the Flash CLI's own install: `import requests` beside dependencies=
        # ["requests"] never fails where flash build runs.
        local = RUNPOD2_INSTALL_NAMES if endpoint.sdk == "runpod2" else FLASH_INSTALL_NAMES
        for call in build_calls(endpoint, files):
            found, maybe = dependency_args(call, analysis.modules, endpoint.loop_bindings)
            undecided += maybe
            for arg in found:
                for spec in _specs(arg.value, undecided):
                    dist = requirement_name(spec)
                    if dist is not None and normalise(dist) not in local:
                        module = mapping.get(normalise(dist), dist).split(".", 1)[0]
                        wanted.setdefault(normalise(module), spec)
        out = []
        paths = [endpoint.path] + sorted({u.path for u in uses(endpoint, files)} - {endpoint.path})
        for path in paths if wanted else ():
            facts = files.get(path)
            if facts is None:
                continue
            hits: dict = {}  # import statement span -> [(module, requirement)]
            for binding in facts.imports:
                if not binding.top_level or binding.level or not binding.module:
                    continue
                if _never_runs(binding.blocks):
                    continue
                top = binding.module.split(".", 1)[0]
                spec = wanted.get(normalise(top))
                if spec is not None and (top, spec) not in hits.get(binding.span, []):
                    hits.setdefault(binding.span, []).append((top, spec))
            for span, modules in sorted(hits.items()):
                out.append(self._finding(endpoint, path, span, modules))
        if not out and undecided:
            return [unknown(endpoint, undecided[0], "a `dependencies` entry", "dependencies")]
        return out

    def _finding(self, endpoint, path, span, modules):
        shown = ", ".join(f"`{m}`" for m, _ in modules)
        specs = ", ".join(f'"{s}"' for _, s in modules)
        verb = "are" if len(modules) > 1 else "is"
        if endpoint.sdk == "runpod2":
            # rc2's discover_apps imports every project file; a directory walk logs a file that
            # fails to import and goes on without its apps (runpod/apps/discovery.py).
            where = (
                "whenever `rp flash deploy` or `rp flash dev` imports this file to find the app "
                "(where it is not installed the import fails, and a directory deploy goes on "
                "without this file's resources)"
            )
        else:
            where = (
                f"whenever flash build or {dev_command(sdk_of(endpoint))} imports this file "
                "(the build fails where it is not installed)"
            )
        message = (
            f"{shown} {verb} imported at module level, but `{endpoint.display_name}` lists {specs} "
            f"in `dependencies=`: the import runs on your machine {where}, not only on the worker"
        )
        pronoun = "them" if len(modules) > 1 else "it"
        fix = f"Import {shown} inside the function (or class) body that uses {pronoun}."
        packages = ",".join(m for m, _ in modules)
        return fail_at(endpoint, message, path, span, f"dependencies:{packages}", fix)


def _specs(value: Value, undecided: list[Value]) -> list[str]:
    """The requirement strings in a resolved `dependencies` value; unknown parts are noted."""
    if not value.known:
        undecided.append(value)
        return []
    raw = value.value
    if isinstance(raw, str):
        return [raw]
    if not isinstance(raw, (list, tuple)):
        return []
    out = []
    for item in raw:
        if isinstance(item, Value) and item.known and isinstance(item.value, str):
            out.append(item.value)
        elif isinstance(item, Value) and not item.known:
            undecided.append(item)
    if value.partial is not None:
        undecided.append(value.partial)
    return out


def _never_runs(blocks) -> bool:
    """An indented module-level import under `if TYPE_CHECKING:` or the `__main__` guard."""
    hidden = classify(blocks)
    return hidden is not None and hidden.certain
