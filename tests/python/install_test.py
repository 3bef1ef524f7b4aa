"""python.install: installs bindings/python into a fresh virtual environment offline, as the
README says, and runs the unittest suite against the installed package.

    install_test.py --package <bindings/python> --tests <tests/python> --work <scratch dir>

The package is installed from a copy of its tree, because pip builds in the tree it is given
(build/, selfservice.egg-info/) and the source tree must stay clean; the test checks that it did.
The suite then runs from a directory outside the source with PYTHONPATH unset, so `import
selfservice` can only find the installed package. SELFSERVICE_LIBRARY (and, under ASan,
LD_PRELOAD) pass through to the suite. Exits 77, which ctest reports as skipped, when this
interpreter cannot make a virtual environment with pip and setuptools (Debian's python3-venv,
python3-setuptools and python3-wheel).
"""

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile

SKIPPED = 77
# What only the interpreter of the test itself needs, not the installer's.
RUN_ONLY = ("LD_PRELOAD", "ASAN_OPTIONS", "SELFSERVICE_LIBRARY", "SELFSERVICE_PROJECT_VERSION")


def skip(reason):
    print(f"skipped: {reason}")
    sys.exit(SKIPPED)


def listing(tree):
    return sorted(os.path.relpath(os.path.join(root, name), tree)
                  for root, directories, files in os.walk(tree) for name in directories + files)


def run(command, env, cwd):
    print("+", " ".join(command), flush=True)
    return subprocess.run(command, env=env, cwd=cwd, check=False).returncode


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--package", required=True, help="bindings/python of the source tree")
    parser.add_argument("--tests", required=True, help="tests/python of the source tree")
    parser.add_argument("--work", required=True, help="a directory of the build tree for scratch files")
    arguments = parser.parse_args()

    for module in ("venv", "ensurepip", "setuptools", "wheel"):
        if importlib.util.find_spec(module) is None:
            skip(f"{sys.executable} has no {module} module")

    before = listing(arguments.package)
    base = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    base["PYTHONDONTWRITEBYTECODE"] = "1"  # nor __pycache__ in tests/python
    setup_env = {key: value for key, value in base.items() if key not in RUN_ONLY}
    setup_env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    os.makedirs(arguments.work, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="python-install-", dir=arguments.work)
    venv, copy = os.path.join(scratch, "venv"), os.path.join(scratch, "package")
    python = os.path.join(venv, "bin", "python")

    shutil.copytree(arguments.package, copy, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    made = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv], env=setup_env,
                          cwd=scratch, capture_output=True, text=True, check=False)
    if made.returncode != 0:
        if "ensurepip" in made.stdout + made.stderr:
            skip(f"{sys.executable} -m venv cannot install pip: {made.stdout}{made.stderr}")
        print(made.stdout, made.stderr, sep="\n")
        return 1
    if run([python, "-m", "pip", "install", "--no-build-isolation", "--no-index", "--no-cache-dir", copy],
           setup_env, scratch) != 0:
        return 1

    where = subprocess.run([python, "-c", "import selfservice; print(selfservice.__file__)"], env=base,
                           cwd=scratch, capture_output=True, text=True, check=True).stdout.strip()
    if not where.startswith(os.path.join(venv, "lib")):
        print(f"selfservice was imported from {where}, not from the virtual environment")
        return 1
    status = run([python, "-m", "unittest", "discover", "--start-directory", arguments.tests,
                  "--pattern", "test_*.py", "-v"], base, scratch)
    if listing(arguments.package) != before:
        print(f"installing left files in {arguments.package}: "
              f"{sorted(set(listing(arguments.package)) - set(before))}")
        status = status or 1
    if status == 0:
        shutil.rmtree(scratch)
    else:
        print(f"kept {scratch} for inspection")
    return status


if __name__ == "__main__":
    sys.exit(main())
