/**
 * The script the agent's own interpreter runs (one spawn) to say which of its declared requirements it
 * lacks. It reads the manifest itself: requirements.txt (with `-r` includes, pip's line continuations and
 * comments; options such as -e, -c, --index-url and bare paths or URLs name no distribution and are
 * skipped) or pyproject.toml's [project].dependencies (PEP 621; tomllib, Python 3.11+, else tomli or pip's
 * vendored copy). Installed distributions come from importlib.metadata, their names normalised as PEP 503
 * says (https://peps.python.org/pep-0503/#normalized-names). Requirements are parsed with `packaging`
 * (the project's, else pip's vendored copy): environment markers are evaluated (a requirement for another
 * platform is not missing) and an installed version outside the specifier counts as missing. Without
 * `packaging` only names are compared, and a requirement with a marker is left unchecked.
 *
 * Python 3.8+ syntax (importlib.metadata is 3.8+); prints one JSON document on stdout.
 */
export const PYTHON_CHECK_SCRIPT = String.raw`
import json, os, platform, re, sys
from importlib import metadata
from importlib.util import find_spec

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

try:
    from packaging.requirements import Requirement
except Exception:
    try:
        from pip._vendor.packaging.requirements import Requirement
    except Exception:
        Requirement = None

def load_toml(path):
    try:
        import tomllib as toml
    except ImportError:
        try:
            import tomli as toml
        except ImportError:
            from pip._vendor import tomli as toml
    with open(path, "rb") as f:
        return toml.load(f)

def read_requirements(path, seen):
    path = os.path.abspath(path)
    if path in seen:
        return []
    seen.add(path)
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"\\\r?\n", "", f.read())
    found = []
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        include = re.match(r"^(?:-r|--requirement)(?:\s+|=)(\S+)$", line)
        if include:
            found += read_requirements(os.path.join(os.path.dirname(path), include.group(1)), seen)
            continue
        if line.startswith("-"):
            continue
        line = re.split(r"\s+--", line)[0].strip()
        if re.match(r"^[A-Za-z0-9]", line) and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", line):
            found.append(line)
    return found

manifest = sys.argv[1]
if manifest.endswith(".toml"):
    requirements = list((load_toml(manifest).get("project") or {}).get("dependencies") or [])
else:
    requirements = read_requirements(manifest, set())

installed = {}
for dist in metadata.distributions():
    name = dist.metadata["Name"]
    if name:
        installed.setdefault(norm(name), dist.version)

missing, unchecked = [], []
for text in requirements:
    specifier = None
    if Requirement is not None:
        try:
            req = Requirement(text)
            if req.marker is not None and not req.marker.evaluate():
                continue
        except Exception:
            unchecked.append(text)
            continue
        name, specifier = req.name, req.specifier
    else:
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)", text)
        if not match or ";" in text:
            unchecked.append(text)
            continue
        name = match.group(1)
    have = installed.get(norm(name))
    if have is None:
        missing.append({"requirement": text, "name": norm(name)})
        continue
    if specifier is not None and str(specifier):
        try:
            ok = specifier.contains(have, prereleases=True)
        except Exception:
            ok = True
        if not ok:
            missing.append({"requirement": text, "name": norm(name), "installed": have})

print(json.dumps({
    "executable": sys.executable,
    "version": platform.python_version(),
    "venv": sys.prefix != getattr(sys, "base_prefix", sys.prefix),
    "pip": find_spec("pip") is not None,
    "requirements": requirements,
    "missing": missing,
    "unchecked": unchecked,
}))
`;
