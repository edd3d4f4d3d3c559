"""View > Commitments amortised / as cash: how the document charges commitments in the months, kept in QSettings."""
from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QWidget

from gui.settings import Settings

VIEWS = (
    ("amortised", "Commitments &amortised",
     "Each commitment's charge spread evenly over the months of its term (FOCUS EffectiveCost)"),
    ("cash", "Commitments as &cash",
     "Upfront payments in the month they are paid, the rest monthly (FOCUS BilledCost)"),
)
"""The two views: (value, menu text, tip)."""


class CommitmentViewActions(QActionGroup):
    """Two exclusive actions choosing the document's view; the choice is remembered for the next run."""

    def __init__(self, document: Any, settings: Settings, parent: QWidget):
        super().__init__(parent)
        self.document = document
        self.settings = settings
        self.setExclusive(True)
        self.by_view: dict[str, QAction] = {}
        for value, text, tip in VIEWS:
            act = QAction(text, parent)
            act.setCheckable(True)
            act.setData(value)
            act.setStatusTip(tip)
            act.setToolTip(tip)
            self.addAction(act)
            self.by_view[value] = act
        document.set_view(settings.commitment_view())  # the last run's choice
        self.by_view[document.view.value].setChecked(True)
        self.triggered.connect(self.choose)

    def choose(self, action: QAction) -> None:
        """The user picked a view: project the plan in it and remember it."""
        view = str(action.data())
        self.settings.set_commitment_view(view)
        self.document.set_view(view)
