"""Which packages the wheel holds; everything else about the build is in pyproject.toml.

pyproject.toml can either discover packages (``[tool.setuptools.packages.find]``) or map a package
onto another folder (``package-dir``: ``resources/`` installs as ``aicost_resources``, ``docs/`` as
``aicost_docs``), not both in one
``packages`` value. Discovery here keeps every subpackage of gui/ and pricing/ in the wheel without
listing it (a package missing from a hand-written list, gui.editors, once broke the installed app).
"""
from setuptools import find_packages, setup

setup(packages=find_packages(include=["gui", "gui.*", "pricing", "pricing.*"]) + ["aicost_resources", "aicost_docs"])
