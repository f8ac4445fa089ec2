"""Packaging: the in-tree build backend, and pip installing from a git URL.

pip install "git+https://github.com/assaylab/assay#subdirectory=python" is
what users type; here the URL is a file:// clone of a repository holding
this directory, and pip may not reach any index (--no-index): installing
must need nothing but the repository.
"""

import base64
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile

from tests import support

sys.path.insert(0, os.path.join(support.PYTHON_DIR, "_build"))
import assay_build  # noqa: E402

sys.path.pop(0)


class TestBackend(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.mkdtemp(prefix="assay-build-")
        self.addCleanup(shutil.rmtree, self.out, True)

    def check_record(self, z):
        """Every file the wheel holds is in RECORD with its hash and size."""
        info = [n for n in z.namelist() if n.endswith(".dist-info/RECORD")]
        self.assertEqual(len(info), 1)
        rows = list(csv.reader(io.StringIO(z.read(info[0]).decode())))
        listed = {r[0]: r for r in rows}
        self.assertEqual(sorted(listed), sorted(z.namelist()))
        for name in z.namelist():
            if name == info[0]:
                self.assertEqual(listed[name][1:], ["", ""])
                continue
            data = z.read(name)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            self.assertEqual(listed[name][1:], ["sha256=" + digest, str(len(data))], name)

    def test_wheel(self):
        name = assay_build.build_wheel(self.out)
        self.assertEqual(name, "assay-0.1.0-py3-none-any.whl")
        with zipfile.ZipFile(os.path.join(self.out, name)) as z:
            self.assertEqual(
                sorted(z.namelist()),
                [
                    "assay-0.1.0.dist-info/METADATA",
                    "assay-0.1.0.dist-info/RECORD",
                    "assay-0.1.0.dist-info/WHEEL",
                    "assay-0.1.0.dist-info/top_level.txt",
                    "assay.py",
                ],
            )
            with open(os.path.join(support.PYTHON_DIR, "assay.py"), "rb") as f:
                self.assertEqual(z.read("assay.py"), f.read())
            meta = z.read("assay-0.1.0.dist-info/METADATA").decode()
            self.assertIn("Name: assay\nVersion: 0.1.0\n", meta)
            self.assertIn("Requires-Python: >=3.8\n", meta)
            self.assertIn("# assay for Python", meta)
            self.assertIn("Tag: py3-none-any", z.read("assay-0.1.0.dist-info/WHEEL").decode())
            self.check_record(z)

    def test_wheel_is_reproducible(self):
        a = assay_build.build_wheel(self.out)
        with open(os.path.join(self.out, a), "rb") as f:
            first = f.read()
        os.remove(os.path.join(self.out, a))
        assay_build.build_wheel(self.out)
        with open(os.path.join(self.out, a), "rb") as f:
            self.assertEqual(f.read(), first)

    def test_sdist_builds_the_same_wheel(self):
        name = assay_build.build_sdist(self.out)
        self.assertEqual(name, "assay-0.1.0.tar.gz")
        with tarfile.open(os.path.join(self.out, name)) as tar:
            names = sorted(tar.getnames())
            self.assertEqual(
                names,
                sorted("assay-0.1.0/" + n for n in ["PKG-INFO", "README.md", "_build/assay_build.py", "assay.py", "pyproject.toml"]),
            )
            unpacked = os.path.join(self.out, "src")
            tar.extractall(unpacked, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
        # Build the wheel from the unpacked sdist, as `python -m build` does.
        code = "import sys; sys.path.insert(0, '_build'); import assay_build; print(assay_build.build_wheel(sys.argv[1]))"
        wheels = os.path.join(self.out, "wheels")
        os.mkdir(wheels)
        p = subprocess.run([sys.executable, "-c", code, wheels], cwd=os.path.join(unpacked, "assay-0.1.0"), capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        with zipfile.ZipFile(os.path.join(wheels, p.stdout.strip())) as z:
            self.check_record(z)
            self.assertIn("assay.py", z.namelist())

    def test_editable_wheel_points_here(self):
        name = assay_build.build_editable(self.out)
        with zipfile.ZipFile(os.path.join(self.out, name)) as z:
            self.assertEqual(z.read("assay_editable.pth").decode(), support.PYTHON_DIR + "\n")
            self.check_record(z)

    def test_metadata_without_tomllib(self):
        # Python before 3.11 has no tomllib: the backend reads the plain lines.
        real = sys.modules.get("tomllib")
        sys.modules["tomllib"] = None  # makes `import tomllib` fail
        try:
            p = assay_build._project()
        finally:
            if real is None:
                del sys.modules["tomllib"]
            else:
                sys.modules["tomllib"] = real
        self.assertEqual((p["name"], p["version"], p["requires-python"]), ("assay", "0.1.0", ">=3.8"))


def pip_missing():
    if shutil.which("git") is None:
        return "git is not installed"
    p = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, text=True)
    if p.returncode != 0:
        return "pip is not installed for %s" % sys.executable
    return None


@unittest.skipIf(pip_missing(), pip_missing())
class TestPipInstallFromGit(unittest.TestCase):
    def test_install_with_no_index(self):
        tmp = tempfile.mkdtemp(prefix="assay-pip-")
        self.addCleanup(shutil.rmtree, tmp, True)
        repo = os.path.join(tmp, "repo")
        shutil.copytree(support.PYTHON_DIR, os.path.join(repo, "python"), ignore=shutil.ignore_patterns("__pycache__", "tests"))
        env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", HOME=tmp, GIT_AUTHOR_NAME="Ada", GIT_AUTHOR_EMAIL="ada@example.com",
                   GIT_COMMITTER_NAME="Ada", GIT_COMMITTER_EMAIL="ada@example.com", PIP_DISABLE_PIP_VERSION_CHECK="1",
                   PIP_NO_INPUT="1")
        for k in list(env):
            if k.startswith("PIP_INDEX") or k.startswith("PIP_EXTRA_INDEX") or k == "PIP_FIND_LINKS":
                del env[k]
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "python"]):
            subprocess.run(["git"] + args, cwd=repo, env=env, check=True, capture_output=True)
        target = os.path.join(tmp, "site")
        url = "git+file://%s#subdirectory=python" % repo
        p = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--no-index", "--no-cache-dir", "--target", target, url],
            env=env, capture_output=True, text=True, timeout=600,
        )
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertTrue(os.path.isdir(os.path.join(target, "assay-0.1.0.dist-info")), os.listdir(target))
        out = support.run_python("import assay; print(assay.__file__, assay.__version__)", path=(target,), cwd=tmp)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.split(), [os.path.join(target, "assay.py"), "0.1.0"])


if __name__ == "__main__":
    unittest.main()
