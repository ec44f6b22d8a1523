"""The one compiled module, names/_kernel.pyx (Cython); everything else is in pyproject.toml."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("testimonia.names._kernel", ["src/testimonia/names/_kernel.pyx"])])
