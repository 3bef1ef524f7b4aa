"""The selfservice package as installed: its version, its type marker, what it exports.

Run by ctest with SELFSERVICE_LIBRARY (and, for the source tree, PYTHONPATH) set; python.install
runs it against the package installed in a virtual environment (tests/python/CMakeLists.txt).
"""

import inspect
import os
import unittest

import selfservice


class VersionTest(unittest.TestCase):
    def test_the_package_version_is_the_librarys(self):
        self.assertEqual(selfservice.__version__, selfservice.version())

    def test_the_package_version_is_the_projects(self):
        # Set by ctest from project(VERSION) in the top-level CMakeLists.txt.
        expected = os.environ.get("SELFSERVICE_PROJECT_VERSION")
        if not expected:
            self.skipTest("SELFSERVICE_PROJECT_VERSION is not set")
        self.assertEqual(selfservice.__version__, expected)

    def test_the_abi_version_is_positive(self):
        self.assertGreaterEqual(selfservice.abi_version(), 1)


class LayoutTest(unittest.TestCase):
    def test_the_package_is_marked_typed(self):
        self.assertTrue(os.path.isfile(os.path.join(os.path.dirname(selfservice.__file__), "py.typed")))

    def test_every_exported_name_exists(self):
        for name in selfservice.__all__:
            with self.subTest(name=name):
                self.assertTrue(hasattr(selfservice, name))

    def test_every_exported_function_and_class_says_what_it_does(self):
        for name in selfservice.__all__:
            value = getattr(selfservice, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                with self.subTest(name=name):
                    self.assertTrue(value.__doc__)

    def test_public_methods_carry_type_hints(self):
        for method in (selfservice.Portal.__init__, selfservice.Portal.invoke, selfservice.Portal.upload_chunk,
                       selfservice.Portal.open_download, selfservice.Portal.download, selfservice.Download.readinto,
                       selfservice.Portal.subscribe, selfservice.Portal.unsubscribe, selfservice.Portal.close,
                       selfservice.version, selfservice.abi_version, selfservice.methods):
            with self.subTest(method=method.__qualname__):
                self.assertIn("return", method.__annotations__)


if __name__ == "__main__":
    unittest.main()
