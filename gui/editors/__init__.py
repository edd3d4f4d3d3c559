"""The plan editor: a tree of sections and lines, one form per section, and the line actions."""
from gui.editors.actions import LineActions
from gui.editors.stack import EditorStack
from gui.editors.tree import PlanTree

__all__ = ["EditorStack", "LineActions", "PlanTree"]
