"""Help (F1): the user guide and the reference pages (docs/*.md) rendered in the app, links between them followed."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut, QTextDocument
from PySide6.QtWidgets import (QLabel, QLineEdit, QListWidget, QListWidgetItem, QMainWindow, QSplitter,
                               QTextBrowser, QToolBar, QVBoxLayout, QWidget)

from pricing.resources import docs_root

from gui import screen_fit

PAGES: tuple[tuple[str, str], ...] = (
    ("user-guide.md", "User guide"),
    ("plan-format.md", "Plan file format"),
    ("scenarios.md", "Savings scenarios"),
    ("catalog.md", "Prices and the catalog"),
    ("serving-model.md", "Self-hosted serving model"),
    ("exports.md", "Reports and exports"),
    ("finance.md", "Excel workbook and commitments"),
    ("cli.md", "Command line"),
    ("bundle.md", "Desktop bundle"),
)
"""The pages listed, in this order (other .md files of the folder follow by name)."""

HOME = "user-guide.md"


def pages(folder: Path | None = None) -> list[tuple[Path, str]]:
    """(file, title) of every page found: ``PAGES`` first, then any other .md file."""
    folder = folder or docs_root()
    known = dict(PAGES)
    found = [(folder / name, title) for name, title in PAGES if (folder / name).is_file()]
    extra = sorted(p for p in folder.glob("*.md") if p.name not in known) if folder.is_dir() else []
    return found + [(p, p.stem.replace("-", " ").capitalize()) for p in extra]


class HelpBrowser(QTextBrowser):
    """Renders Markdown pages; a link to another page opens it here, a web link in the system browser."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setOpenLinks(False)  # we decide: pages here, the web outside
        self.anchorClicked.connect(self.follow)
        self.setAccessibleName("Help page")

    def show_page(self, path: Path, fragment: str = "") -> None:
        url = QUrl.fromLocalFile(str(path))
        if fragment:
            url.setFragment(fragment)
        self.setSource(url, QTextDocument.ResourceType.MarkdownResource)

    def follow(self, url: QUrl) -> None:
        """A clicked link: an anchor of this page, another page (relative links between the docs), or the web."""
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
            return
        if not url.path() and url.fragment():  # #anchor on this page
            self.scrollToAnchor(url.fragment())
            return
        target = self.source().resolved(url) if url.isRelative() else url
        local = Path(target.toLocalFile())
        if local.suffix.lower() == ".md" and local.is_file():
            self.setSource(target, QTextDocument.ResourceType.MarkdownResource)
        elif local.is_file():
            QDesktopServices.openUrl(target)
        else:
            self.setHtml(f"<p>The page <code>{target.toString()}</code> is not part of this installation.</p>")


class HelpWindow(QMainWindow):
    """The user guide: the list of pages on the left, the page on the right, Back/Forward/Home and Find."""

    def __init__(self, parent: QWidget | None = None, folder: Path | None = None):
        super().__init__(parent)
        self.setWindowTitle("AI Cost Planner — Help")
        self.setObjectName("help")
        self.folder = folder or docs_root()
        self.browser = HelpBrowser()
        self.list = QListWidget()
        self.list.setAccessibleName("Help pages")
        self.list.setMaximumWidth(260)
        for path, title in pages(self.folder):
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(path.name)
            self.list.addItem(item)
        self.list.currentItemChanged.connect(self._on_page_picked)
        self.browser.sourceChanged.connect(self._on_source_changed)

        bar = QToolBar("Help navigation")
        bar.setMovable(False)
        self.back = bar.addAction("◀ Back", self.browser.backward)
        self.back.setShortcut(QKeySequence(QKeySequence.StandardKey.Back))
        self.forward = bar.addAction("Forward ▶", self.browser.forward)
        self.forward.setShortcut(QKeySequence(QKeySequence.StandardKey.Forward))
        self.home = bar.addAction("Contents", self.go_home)
        self.browser.backwardAvailable.connect(self.back.setEnabled)
        self.browser.forwardAvailable.connect(self.forward.setEnabled)
        self.back.setEnabled(False)
        self.forward.setEnabled(False)
        bar.addSeparator()
        bar.addWidget(QLabel(" Find: "))
        self.find = QLineEdit()
        self.find.setPlaceholderText("text on this page (Enter: next)")
        self.find.setClearButtonEnabled(True)
        self.find.returnPressed.connect(self.find_next)
        bar.addWidget(self.find)
        self.addToolBar(bar)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self.find.setFocus)

        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(self.browser)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(4, 4, 4, 4)
        v.addWidget(split)
        self.setCentralWidget(box)
        if not self.list.count():
            self.browser.setHtml(f"<h2>Help is not installed</h2><p>No pages were found in "
                                 f"<code>{self.folder}</code>. Reinstall AI Cost Planner, or read the documentation "
                                 "in the <code>docs/</code> folder of its source.</p>")
        else:
            self.go_home()
        # Qt gives a new window at most 2/3 of the screen: Help wants more where there is room
        self.resize(screen_fit.fitted_size(self.sizeHint(), screen_fit.available(parent)))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override (the screen fit shrinks it on a small screen)
        return QSize(1000, 720)

    def go_home(self) -> None:
        self.open_page(HOME)

    def open_page(self, name: str, fragment: str = "") -> bool:
        """Show the page ``name`` (``scenarios.md``); False when it is not installed."""
        path = self.folder / name
        if not path.is_file():
            return False
        self.browser.show_page(path, fragment)
        return True

    def find_next(self) -> bool:
        text = self.find.text()
        if not text:
            return False
        if self.browser.find(text):
            return True
        cursor = self.browser.textCursor()  # wrap around to the top
        cursor.movePosition(cursor.MoveOperation.Start)
        self.browser.setTextCursor(cursor)
        return self.browser.find(text)

    def _on_page_picked(self, item: QListWidgetItem | None, _prev: Any = None) -> None:
        if item is not None:
            path = Path(item.data(Qt.ItemDataRole.UserRole))
            if self.browser.source().toLocalFile() != str(path):
                self.browser.show_page(path)

    def _on_source_changed(self, url: QUrl) -> None:
        path = url.toLocalFile()
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == path:
                self.list.blockSignals(True)
                self.list.setCurrentItem(item)
                self.list.blockSignals(False)
                break
        title = self.browser.documentTitle() or Path(path).stem
        self.setWindowTitle(f"{title} — AI Cost Planner Help")

    def current_page(self) -> str:
        """The file name of the page shown (``user-guide.md``)."""
        return Path(self.browser.source().toLocalFile()).name


def show_help(parent: QWidget, page: str = HOME) -> HelpWindow:
    """The one Help window of ``parent`` (made on first use), raised, on ``page``."""
    window = getattr(parent, "_help_window", None)
    if window is None:
        window = HelpWindow(parent)
        window.setWindowFlag(Qt.WindowType.Window, True)
        parent._help_window = window  # type: ignore[attr-defined]
    if page != HOME or not window.current_page():
        window.open_page(page)
    window.show()
    window.raise_()
    window.activateWindow()
    return window


__all__ = ["HOME", "HelpBrowser", "HelpWindow", "PAGES", "pages", "show_help"]
