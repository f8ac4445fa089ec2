"""A PEP 517 build backend in the standard library, for one module.

pyproject.toml names it (backend-path), so `pip install` of this directory,
from a git URL or a checkout, builds without fetching anything: no
setuptools, no index, which a GPU machine behind a firewall may not reach.
It builds the wheel (assay.py and its metadata), the sdist, and an editable
wheel (PEP 660: a .pth file naming this directory).
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULE = "assay.py"
SDIST_FILES = ["pyproject.toml", "README.md", MODULE, "_build/assay_build.py"]


def _project():
    """The [project] table's strings and lists of strings; tomllib where
    Python has it (3.11), else the plain `key = "value"` lines this
    pyproject.toml holds."""
    path = os.path.join(ROOT, "pyproject.toml")
    try:
        import tomllib
    except ImportError:
        tomllib = None
    if tomllib is not None:
        with open(path, "rb") as f:
            return tomllib.load(f)["project"]
    out, table = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            m = re.match(r"^\[([^\]]+)\]$", line)
            if m:
                table = m.group(1)
            elif table == "project":
                m = re.match(r'^([A-Za-z_-]+)\s*=\s*"([^"]*)"$', line)
                if m:
                    out[m.group(1)] = m.group(2)
    return out


def _dist():
    p = _project()
    return p["name"], p["version"]


def _metadata():
    p = _project()
    lines = [
        "Metadata-Version: 2.1",
        "Name: " + p["name"],
        "Version: " + p["version"],
        "Summary: " + p.get("description", ""),
    ]
    if "requires-python" in p:
        lines.append("Requires-Python: " + p["requires-python"])
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    lines.append("Description-Content-Type: text/markdown")
    return "\n".join(lines) + "\n\n" + readme


def _dist_info_name():
    name, version = _dist()
    return "%s-%s.dist-info" % (name.replace("-", "_"), version)


def _wheel_name():
    name, version = _dist()
    return "%s-%s-py3-none-any.whl" % (name.replace("-", "_"), version)


def _zip_time():
    # Reproducible archives: SOURCE_DATE_EPOCH when set, else 1980.
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
    return time.gmtime(max(epoch, 315532800))[:6]


def _write_wheel(wheel_directory, files):
    """files: (archive name, bytes); the dist-info is added here."""
    info = _dist_info_name()
    files = list(files) + [
        (info + "/METADATA", _metadata().encode()),
        (info + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: assay_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        (info + "/top_level.txt", b"assay\n"),
    ]
    record = io.StringIO()
    for name, data in files:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.write("%s,sha256=%s,%d\n" % (name, digest, len(data)))
    record.write(info + "/RECORD,,\n")
    files.append((info + "/RECORD", record.getvalue().encode()))
    wheel = _wheel_name()
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            zi = zipfile.ZipInfo(name, _zip_time())
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return wheel


def _read(rel):
    with open(os.path.join(ROOT, rel), "rb") as f:
        return f.read()


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [(MODULE, _read(MODULE))])


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # A .pth line puts this directory on sys.path: edits to assay.py take
    # effect without reinstalling.
    return _write_wheel(wheel_directory, [("assay_editable.pth", (ROOT + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    name, version = _dist()
    base = "%s-%s" % (name.replace("-", "_"), version)
    mtime = max(int(os.environ.get("SOURCE_DATE_EPOCH", "315532800")), 315532800)
    path = os.path.join(sdist_directory, base + ".tar.gz")
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        entries = [(rel, _read(rel)) for rel in SDIST_FILES]
        pkg_info = _metadata().encode()
        entries.append(("PKG-INFO", pkg_info))
        for rel, data in entries:
            ti = tarfile.TarInfo(base + "/" + rel)
            ti.size, ti.mtime, ti.mode = len(data), mtime, 0o644
            tar.addfile(ti, io.BytesIO(data))
    return base + ".tar.gz"
