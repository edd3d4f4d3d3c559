"""PyInstaller runtime hook: stand-ins for PySide6.QtOpenGL and QtOpenGLWidgets, which the bundle leaves out.

pyqtgraph 0.14 imports both when it is imported (``pyqtgraph.Qt``, ``pyqtgraph.Qt.OpenGLHelpers``,
``PlotCurveItem``, ``PColorMeshItem``) but uses them only to draw with OpenGL (``useOpenGL``,
``enableExperimental``), which the app never turns on: every chart is drawn by QPainter. Their
bindings and libraries are about 10 MB of the bundle (QtOpenGL.abi3.so alone is 8.9 MB).

This hook adds, at the END of ``sys.meta_path``, a finder for those two names only: when the real
modules are there (a source checkout, a pip install), they are found first and this does nothing.
In the bundle it hands pyqtgraph a module whose ``QOpenGLWidget`` is a QWidget subclass that
refuses to be built, and whose other names raise AttributeError saying why. PySide6 is not imported
here (only when pyqtgraph asks), so the app's start-up order is unchanged.
"""
import importlib.abc
import importlib.machinery
import sys
import types

_NAMES = ("PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets")
_WHY = ("OpenGL drawing is not part of the AI Cost Planner bundle (PySide6.QtOpenGL is left out); "
        "the charts are drawn without it")


class _Missing(types.ModuleType):
    """A module whose every name is missing, saying why (``__getattr__`` runs only for names not set)."""

    def __getattr__(self, name):
        # AttributeError (not ImportError): hasattr() and getattr(m, name, default) stay safe
        raise AttributeError(name if name.startswith("__") else f"{self.__name__}.{name}: {_WHY}")


class _Loader(importlib.abc.Loader):
    def create_module(self, spec):
        return _Missing(spec.name, __doc__)

    def exec_module(self, module):
        if module.__name__ == "PySide6.QtOpenGLWidgets":
            from PySide6 import QtWidgets

            class QOpenGLWidget(QtWidgets.QWidget):
                """Stand-in: pyqtgraph subclasses it at import; building one raises."""

                def __init__(self, *args, **kwargs):
                    raise RuntimeError(_WHY)

            module.QOpenGLWidget = QOpenGLWidget


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname in _NAMES:
            return importlib.machinery.ModuleSpec(fullname, _Loader())
        return None


sys.meta_path.append(_Finder())
