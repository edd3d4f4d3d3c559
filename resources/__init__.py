"""The app's data files (catalog, tiktoken, icons, examples), installed as the package ``aicost_resources``.

pyproject.toml maps this folder onto that importable name (a top-level package called plain
``resources`` would clash with other projects'); ``pricing/resources.py`` is the one module that
finds it, in a wheel, an editable install, a source checkout or the PyInstaller bundle.
"""
