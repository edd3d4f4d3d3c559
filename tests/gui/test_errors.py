"""The one error presenter: plan problems with where they are, unexpected errors via sys.excepthook."""
import sys

from gui.errors import ErrorPresenter, install_excepthook
from pricing.errors import PlanError, Problem


def test_plan_error_lists_file_line_key_path(qtbot):
    presenter = ErrorPresenter()
    err = PlanError([Problem("found 'x', expected a number", "compute.training[0].gpus", 7, "p.yaml"),
                     Problem("unknown key 'gpuz'", "compute.training[1].gpuz", 9, "p.yaml")])
    dialog = presenter.show_plan_error("Can't open p.yaml", err)
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and dialog.table.topLevelItemCount() == 2
    first = dialog.table.topLevelItem(0)
    assert [first.text(i) for i in range(3)] == ["p.yaml:7", "compute.training[0].gpus", "found 'x', expected a number"]
    assert "p.yaml:9: compute.training[1].gpuz: unknown key 'gpuz'" in dialog.text()


def test_excepthook_shows_unexpected_errors_in_the_presenter(qtbot, monkeypatch):
    presenter = ErrorPresenter()
    previous = install_excepthook(presenter)
    try:
        try:
            raise ZeroDivisionError("boom")
        except ZeroDivisionError:
            sys.excepthook(*sys.exc_info())
        dialog = presenter.last_dialog
        qtbot.addWidget(dialog)
        assert dialog.windowTitle() == "Unexpected error"
        assert "ZeroDivisionError: boom" in dialog.text() and "Traceback" in dialog.details.toPlainText()
        # a PlanError escaping an action is still shown as problems, without a traceback
        try:
            raise PlanError(Problem("bad value", "months", 3, "x.yaml"))
        except PlanError:
            sys.excepthook(*sys.exc_info())
        dialog = presenter.last_dialog
        qtbot.addWidget(dialog)
        assert dialog.problems[0].key_path == "months" and "Traceback" not in dialog.text()
    finally:
        sys.excepthook = previous


def test_an_exception_in_a_slot_reaches_the_hook(qtbot, window, monkeypatch):
    """Qt calls sys.excepthook for exceptions raised in slots: the user sees the presenter's dialog."""
    presenter = window.presenter
    previous = install_excepthook(presenter)
    try:
        from gui import start_page  # File > New opens the start page (a modal dialog): make it fail instead
        monkeypatch.setattr(start_page, "show", lambda _window: 1 / 0)
        window.document.undo_stack.setClean()
        window.new_plan()
    except ZeroDivisionError:
        sys.excepthook(*sys.exc_info())  # called directly here: pytest-qt would otherwise capture it
    finally:
        sys.excepthook = previous
    assert presenter.last_dialog is not None and "ZeroDivisionError" in presenter.last_dialog.text()
    presenter.last_dialog.close()
