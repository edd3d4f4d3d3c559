"""Words the window shows, on a plan built from empty (File > New) with real keys and clicks: menu items named by
the schema's nouns, counts that agree ("1 month", "1 line"), an MLOps quantity saying what it counts, and the
tornado swinging whole clusters."""
from PySide6.QtCore import Qt

from tests.gui.test_typing import field, retype


def test_words_of_a_plan_built_from_empty(qtbot, window, settle):
    doc = window.document
    doc.new()
    settle()
    # Plan > Add line: the schema's nouns, capitalised as written ("API line", not "Api line")
    items = [a.text() for a in window.line_actions.add_menu.actions()]
    assert "API line" in items and "MLOps line" in items and not [t for t in items if t in ("Api line", "Mlops line")]
    # a one-month plan, typed: every count agrees with one
    months = field(window, "", "months")
    retype(qtbot, months, "1")
    qtbot.keyClick(months, Qt.Key.Key_Return)
    settle()
    assert doc.plan.months == 1
    assert window.editor.current_form().subtitle.text().startswith(f"{doc.plan.name}: 1 month from ")
    # the MLOps section, empty: "(0 lines)"; its Add button adds one: "(1 line)"
    window.tree.select("mlops")
    settle()
    page = window.editor.section_page
    assert page.title.text().endswith("(0 lines)")
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    settle()
    line = doc.plan.mlops[0]
    assert line.kind == "k8s_control_plane"
    form = window.editor.current_form()
    assert form.key_path == "mlops[0]"
    # the catalog's unit for it is "USD per cluster-month": the quantity counts clusters
    assert form._labels["quantity"].text() == "Quantity (clusters):"
    assert " over 1 month (" in form.subtitle.text()
    quantity = form.inputs["quantity"]
    retype(qtbot, quantity, "3")
    qtbot.keyClick(quantity, Qt.Key.Key_Return)
    settle()
    assert doc.plan.mlops[0].quantity == 3
    window.tree.select("mlops")
    settle()
    assert page.title.text().endswith("(1 line)")
    # the tornado: 3 clusters +-20% = 2.4..3.6 swing as whole clusters, 2..4, under the catalog's word
    u = window.uncertainty
    assert u.wait()
    charts = window.charts
    tab = charts.tabBar()
    drivers = [charts.tabText(i) for i in range(charts.count())].index("Drivers")
    qtbot.mouseClick(tab, Qt.MouseButton.LeftButton, pos=tab.tabRect(drivers).center())
    settle()
    assert charts.currentIndex() == drivers
    rows = {r.key_path: r for r in window.charts.tornado.rows}
    eks = rows["mlops[0].quantity"]
    assert (eks.label, eks.low_text, eks.high_text) == (f"{line.name}: Quantity (clusters)", "2", "4")
    # a unit price of the plan's own: the catalog's unit no longer applies, the schema's generic label is back
    price = form.inputs["unit_price"]
    window.tree.select("mlops[0]")
    settle()
    retype(qtbot, price, "70")
    qtbot.keyClick(price, Qt.Key.Key_Return)
    settle()
    assert doc.plan.mlops[0].unit_price == 70
    assert window.editor.current_form()._labels["quantity"].text() == "Quantity (units/month):"
