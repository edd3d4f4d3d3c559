"""The user documentation (Markdown), installed as the package ``aicost_docs`` so Help (F1) can show it.

pyproject.toml maps this folder onto that name; ``pricing.resources.docs_root`` finds it in a wheel, an
editable install, a source checkout or the PyInstaller bundle (``resources/docs``).
"""
