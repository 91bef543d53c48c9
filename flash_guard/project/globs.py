"""Path and name globs as users write them: `*`, `?`, `[...]` and `**` across directories."""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=512)
def compile_glob(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out) + r"\Z")


def glob_match(pattern: str, text: str) -> bool:
    """Match a `/`-separated path or a name; a pattern without `/` also matches any basename,
    and a directory pattern (`build/`, `sandbox/**`) matches everything below it."""
    pattern = pattern.strip()
    if not pattern:
        return False
    if pattern.endswith("/"):
        pattern += "**"
    if pattern.startswith("./"):
        pattern = pattern[2:]
    regex = compile_glob(pattern.lstrip("/"))
    if regex.match(text):
        return True
    if "/" not in pattern.rstrip("/"):
        return any(regex.match(part) for part in text.split("/"))
    # `dir/sub` also excludes `dir/sub/anything`.
    return bool(compile_glob(pattern.lstrip("/").rstrip("/") + "/**").match(text))


def any_match(patterns, text: str) -> bool:
    return any(glob_match(p, text) for p in patterns)
