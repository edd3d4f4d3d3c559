"""Windows that fit the screen they open on: first-run geometry, windows kept inside the screen, elided labels."""
from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QPainter, QResizeEvent
from PySide6.QtWidgets import (QApplication, QDialog, QDockWidget, QLabel, QLayout, QLayoutItem, QMainWindow,
                               QSizePolicy, QWidget)

FRAME = QSize(16, 48)
"""Room left for the window manager's frame and title bar before a window is shown (its real frame is unknown
until then): a window of the available size less this fits with its frame."""
PREFERRED = QSize(1440, 900)
"""The main window's size on a screen with room for it."""
MARGIN = 0.04
"""Share of the available area kept free around a first-run window on a roomy screen."""


def available(widget: QWidget | None = None) -> QRect:
    """The screen area windows may use (less task bars and docks), of ``widget``'s screen or the primary one."""
    screen = widget.screen() if widget is not None and widget.screen() is not None else \
        QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1024, 700)


def fitted_size(preferred: QSize, area: QRect) -> QSize:
    """``preferred``, made smaller where ``area`` (with a frame) is smaller; on a roomy screen a margin stays free."""
    room = QSize(area.width() - FRAME.width(), area.height() - FRAME.height())
    roomy = QSize(int(area.width() * (1 - 2 * MARGIN)), int(area.height() * (1 - 2 * MARGIN)))
    width = min(preferred.width(), roomy.width() if roomy.width() >= preferred.width() else room.width())
    height = min(preferred.height(), roomy.height() if roomy.height() >= preferred.height() else room.height())
    return QSize(max(width, 200), max(height, 150))


def first_run_geometry(window: QWidget, preferred: QSize = PREFERRED) -> QRect:
    """Size ``window`` for its first run from the available screen and centre it; returns the geometry set."""
    area = available(window)
    size = fitted_size(preferred, area)
    side, top = FRAME.width() // 2, FRAME.height() - FRAME.width() // 2  # frame estimate: sides, title bar
    free_w = area.width() - size.width() - FRAME.width()
    free_h = area.height() - size.height() - FRAME.height()
    rect = QRect(QPoint(area.x() + side + max(free_w // 2, 0), area.y() + top + max(free_h // 2, 0)), size)
    window.setGeometry(rect)
    return rect


def first_layout(window: QMainWindow, left: Sequence[QDockWidget] = (), bottom: Sequence[QDockWidget] = (),
                 preferred: QSize = PREFERRED) -> QRect:
    """A main window's first-run geometry (``first_run_geometry``) with its docks in proportion to it: the
    ``left`` docks a fifth of the width, the ``bottom`` docks a third of the height, side by side, so the
    charts keep most of a small screen."""
    rect = first_run_geometry(window, preferred)
    w, h = rect.width(), rect.height()
    left_w = min(max(int(w * 0.19), 180), 300)
    if left:
        window.resizeDocks(list(left), [left_w] * len(left), Qt.Orientation.Horizontal)
    if bottom:
        height = min(max(int(h * 0.33), 170), 320)
        window.resizeDocks(list(bottom), [height] * len(bottom), Qt.Orientation.Vertical)
        rest = w - (left_w if left else 0)
        shares = [0.56, 0.44] if len(bottom) == 2 else [1 / len(bottom)] * len(bottom)
        window.resizeDocks(list(bottom), [int(rest * f) for f in shares], Qt.Orientation.Horizontal)
    return rect


def keep_inside(window: QWidget, area: QRect | None = None) -> bool:
    """Move and shrink a top-level window so its frame lies inside the available area; True when it changed.

    Before a window is shown its frame is estimated (``FRAME``); afterwards Qt knows it."""
    area = area or available(window)
    geo = window.geometry()
    frame = window.frameGeometry()
    extra = QSize(frame.width() - geo.width(), frame.height() - geo.height())
    if not window.isVisible() or extra.width() <= 0 and extra.height() <= 0:
        extra = QSize(max(extra.width(), FRAME.width()), max(extra.height(), FRAME.height()))
    width = min(geo.width(), area.width() - extra.width())
    height = min(geo.height(), area.height() - extra.height())
    minimum = window.minimumSize()
    if minimum.width() > width or minimum.height() > height:  # a minimum larger than the screen: lower it
        window.setMinimumSize(min(minimum.width(), width), min(minimum.height(), height))
    left_extra = geo.x() - frame.x() if window.isVisible() else extra.width() // 2
    top_extra = geo.y() - frame.y() if window.isVisible() else extra.height() - extra.width() // 2
    x = min(max(geo.x(), area.x() + left_extra), area.right() + 1 - (extra.width() - left_extra) - width)
    y = min(max(geo.y(), area.y() + top_extra), area.bottom() + 1 - (extra.height() - top_extra) - height)
    target = QRect(x, y, width, height)
    if target == geo:
        return False
    window.setGeometry(target)
    return True


class ScreenFit(QObject):
    """Keeps every dialog and main window the app shows inside the available screen (an application-wide
    event filter): a dialog sized for a large monitor never runs off a laptop's screen."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Show and isinstance(obj, (QDialog, QMainWindow)) and obj.isWindow() \
                and not obj.isMaximized() and not obj.isFullScreen():
            keep_inside(obj)
        return False


def install(app: QApplication) -> ScreenFit:
    """Install the ``ScreenFit`` filter on ``app`` (once)."""
    existing = getattr(app, "_screen_fit", None)
    if existing is None:
        existing = ScreenFit(app)
        app.installEventFilter(existing)
        app._screen_fit = existing  # type: ignore[attr-defined]
    return existing


class ElidedLabel(QLabel):
    """A one-line label drawn shortened with "…" when narrower than its text, the whole text in its tooltip.

    ``text()`` stays the whole text (what tests, copying and screen readers get); only the drawing is
    elided. It never asks for more width than it is given: the layout may shrink it to ``min_chars``."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight, min_chars: int = 6):
        super().__init__(parent)
        self._mode = mode
        self._min_chars = min_chars
        self._tip = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override: the tooltip follows
        if text != self.text():
            super().setText(text)
        self._update_tip()

    def setToolTip(self, tip: str) -> None:  # noqa: N802 - Qt override: shown while the text is not elided
        """The tooltip when the text is not elided (when it is, the tooltip is the whole text)."""
        self._tip = tip
        self._update_tip()

    def shown_text(self) -> str:
        """The text as drawn (elided to the width)."""
        return self.fontMetrics().elidedText(self.text(), self._mode, max(self.contentsRect().width(), 0))

    def is_elided(self) -> bool:
        return self.shown_text() != self.text()

    def _update_tip(self) -> None:
        tip = self.text() if self.is_elided() else self._tip
        if tip != self.toolTip():
            super().setToolTip(tip)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(self.fontMetrics().horizontalAdvance("M" * self._min_chars), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._update_tip()

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt override: draw the elided text
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(), int(self.alignment()), self.palette(),
                                  self.isEnabled(), self.shown_text(), self.foregroundRole())
        painter.end()


def elide_with_tooltip(label: Any, text: str, width: int, mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
                       tooltip: str = "") -> str:
    """Put ``text`` on a plain label elided to ``width``; the tooltip holds the whole text when it was cut."""
    shown = label.fontMetrics().elidedText(text, mode, max(width, 0))
    if label.text() != shown:
        label.setText(shown)
    label.setToolTip(text if shown != text else tooltip)
    return shown


class FlowLayout(QLayout):
    """Items left to right, wrapping onto the next line where the width runs out (Qt's flow layout example): a row
    of check boxes needs only its widest box across, so a narrow dock shows every box instead of cutting them."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 12):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """All on one line."""
        width = sum(i.sizeHint().width() for i in self._items) + self._gap * max(len(self._items) - 1, 0)
        height = max((i.sizeHint().height() for i in self._items), default=0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        """The widest item: everything else wraps."""
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _place(self, rect: QRect, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, line = area.x(), y + line + self._gap // 2, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            line = max(line, hint.height())
        return y + line - rect.y() + m.bottom()
