"""The Commitments view's charts: a pool's GPU usage with its band and what is committed, and an offer's cash beside
its amortised charge and the on-demand cost it avoids."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from pricing import series
from pricing.commitments.figures import OfferFigures, PoolFigures
from pricing.plan import Category

from gui import theme
from gui.charts import base as chart_base
from gui.charts.base import BAR_WIDTH, Chart, _color

USAGE_COLOR = theme.CATEGORY_COLORS[Category.COMPUTE]   # the pool's usage, in the Compute colour
COMMITTED_COLOR = "#E15759"       # the chosen commitment's GPUs over the usage
HELD_COLOR = "#B07AA1"            # GPUs the plan already commits
CASH_COLOR = "#4E79A7"
AMORTISED_COLOR = "#F28E2B"


def gpus_text(n: int) -> str:
    """``1 GPU``, ``3 GPUs``."""
    return f"{n:,} GPU{'s' if n != 1 else ''}"


class UsageChart(Chart):
    """The pool's GPUs busy on average each month (likely, with the P10-P90 band of the samples), the GPUs the
    plan already commits, and the chosen offer's GPUs over its term."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        pg = chart_base.pg
        self.item.getAxis("left").tickStrings = lambda values, scale, spacing: [f"{v * scale:g}" for v in values]
        self.band_low = pg.PlotCurveItem()
        self.band_high = pg.PlotCurveItem()
        self.band_fill = pg.FillBetweenItem(self.band_low, self.band_high, brush=_color(theme.BAND_COLOR, 70))
        self.usage = pg.PlotCurveItem(pen=pg.mkPen(USAGE_COLOR, width=2.2))
        self.held = pg.PlotCurveItem(pen=pg.mkPen(HELD_COLOR, width=2, style=Qt.PenStyle.DotLine))
        self.chosen = pg.PlotCurveItem(pen=pg.mkPen(COMMITTED_COLOR, width=2,
                                                                       style=Qt.PenStyle.DashLine))
        for it in (self.band_fill, self.band_low, self.band_high, self.usage, self.held, self.chosen):
            self.item.addItem(it)
        self.band_fill.setZValue(-5)
        self.data: dict[str, np.ndarray | None] = {}
        """What is drawn, by curve (tests read it): usage, p10, p90, held, chosen."""
        self.month_names: tuple[str, ...] = ()

    def show_pool(self, pool: PoolFigures | None, offer: OfferFigures | None, months: tuple[str, ...]) -> None:
        if pool is None:
            for it in (self.band_fill, self.band_low, self.band_high, self.usage, self.held, self.chosen):
                it.setVisible(False)
            self.data = {}
            self.caption.setText("<b>GPU usage</b> — no pool")
            return
        n = len(months)
        edges = np.arange(n + 1, dtype=float) - 0.5
        chosen = offer.committed_gpus if offer is not None and offer.gpus else None
        self.data = {"usage": pool.usage_gpus, "p10": pool.band_p10, "p90": pool.band_p90,
                     "held": pool.committed_gpus, "chosen": chosen}
        self.usage.setData(edges, pool.usage_gpus, stepMode="center")
        self.usage.setVisible(True)
        has_band = pool.band_p10 is not None
        if has_band:
            self.band_low.setData(edges, pool.band_p10, stepMode="center")
            self.band_high.setData(edges, pool.band_p90, stepMode="center")
        for it in (self.band_fill, self.band_low, self.band_high):
            it.setVisible(has_band)
        for curve, values in ((self.held, pool.committed_gpus), (self.chosen, chosen)):
            if values is not None:
                curve.setData(edges, values, stepMode="center")
            curve.setVisible(values is not None)
        tops = [pool.usage_gpus.max(initial=0.0)] + [v.max(initial=0.0) for v in (pool.band_p90, pool.committed_gpus,
                                                                                   chosen) if v is not None]
        top, step = series.nice_scale(max(max(tops), 1.0) * 1.08)
        values = np.arange(0.0, top + step / 2, step)
        self.set_span(-0.6, max(n, 1) - 0.4)
        self.item.getAxis("left").setTicks([[(float(v), f"{v:g}") for v in values]])
        self.item.setYRange(0.0, top * 1.04, padding=0)
        self.grid.setData(np.repeat([[-0.6, max(n, 1) - 0.4]], len(values), axis=0).ravel(), np.repeat(values, 2))
        self.month_names = months
        self.set_month_ticks(months)
        legend = [f"<span style='color:{USAGE_COLOR}'>━</span> GPUs busy on average (GPU-hours / 730)"]
        if has_band:
            legend.append(f"<span style='color:{theme.BAND_COLOR}'>▬</span> P10–P90")
        if pool.committed_gpus is not None:
            legend.append(f"<span style='color:{HELD_COLOR}'>┅</span> already committed")
        if chosen is not None:
            legend.append(f"<span style='color:{COMMITTED_COLOR}'>╍</span> {gpus_text(offer.gpus)} of the chosen offer")
        self.caption.setText(f"<b>GPU usage: {pool.label}</b>&nbsp;&nbsp;&nbsp;" + "&nbsp;&nbsp;".join(legend))

    def hover_at(self, x: float, y: float) -> str:
        usage = self.data.get("usage")
        i = int(round(x))
        if usage is None or not 0 <= i < len(usage):
            return ""
        text = f"{self.month_names[i]}: {usage[i]:,.2f} GPUs busy on average"
        if self.data.get("p10") is not None:
            text += f" (P10 {self.data['p10'][i]:,.2f}, P90 {self.data['p90'][i]:,.2f})"
        if self.data.get("chosen") is not None:
            text += f"\n{self.data['chosen'][i]:,.0f} GPUs committed by the chosen offer"
        return text


class CashChart(Chart):
    """The chosen offer's charge as cash (bars) beside the amortised view (a line), and the on-demand cost it avoids
    (a dashed line): per month, or (``cumulative``) as running totals, where the avoided cost crossing the cash
    paid is the month the commitment has paid for itself."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        pg = chart_base.pg
        self.cash = pg.BarGraphItem(x=[], height=[], width=BAR_WIDTH, brush=_color(CASH_COLOR, 200),
                                    pen=pg.mkPen(_color(QColor(CASH_COLOR).darker(125)), width=1))
        self.amortised = pg.PlotCurveItem(pen=pg.mkPen(AMORTISED_COLOR, width=2.4))
        self.avoided = pg.PlotCurveItem(pen=pg.mkPen(theme.SCENARIO_COLOR, width=1.6,
                                                                        style=Qt.PenStyle.DashLine))
        self.cash_line = pg.PlotCurveItem(pen=pg.mkPen(CASH_COLOR, width=2.6))  # running totals: a line
        for it in (self.cash, self.cash_line, self.amortised, self.avoided):
            self.item.addItem(it)
        self.data: dict[str, tuple[float, ...] | None] = {}
        """What is drawn (tests read it): cash, amortised, avoided."""
        self.month_names: tuple[str, ...] = ()
        self.cumulative = False

    def show_offer(self, offer: OfferFigures | None, months: tuple[str, ...], currency: str) -> None:
        n = len(months)
        if offer is None or not offer.gpus:
            self.data = {}
            for it in (self.cash, self.cash_line, self.amortised, self.avoided):
                it.setVisible(False)
            self.caption.setText("<b>Cash vs amortised</b> — choose an offer that commits GPUs")
            return
        if self.cumulative:
            self.data = {"cash": offer.cumulative_cash, "amortised": offer.cumulative_amortised,
                         "avoided": offer.cumulative_avoided}
        else:
            self.data = {"cash": offer.cash, "amortised": offer.amortised, "avoided": offer.on_demand_avoided}
        d = self.data
        x = np.arange(n, dtype=float)
        edges = np.arange(n + 1, dtype=float) - 0.5
        if d["cash"] is not None:
            if self.cumulative:
                self.cash_line.setData(edges, np.asarray(d["cash"]), stepMode="center")
            else:
                self.cash.setOpts(x=x, height=np.asarray(d["cash"]), width=BAR_WIDTH)
        self.cash.setVisible(d["cash"] is not None and not self.cumulative)
        self.cash_line.setVisible(d["cash"] is not None and self.cumulative)
        self.amortised.setData(edges, np.asarray(d["amortised"]), stepMode="center")
        self.avoided.setData(edges, np.asarray(d["avoided"]), stepMode="center")
        for it in (self.amortised, self.avoided):
            it.setVisible(True)
        highest = max(max(d["cash"] or (0.0,)), max(d["amortised"] or (0.0,)), max(d["avoided"] or (0.0,)), 1.0)
        self.set_span(-0.6, max(n, 1) - 0.4)
        self.set_value_range(highest, currency)
        self.month_names = months
        self.set_month_ticks(months)
        cash = (f"<span style='color:{CASH_COLOR}'>{'━' if self.cumulative else '■'}</span> cash (upfront in the "
                "month paid)"
                if offer.cash is not None else "<i>cash: the offer's source does not say how much is paid "
                                               "upfront</i>")
        how = "running totals" if self.cumulative else "per month"
        self.caption.setText(
            f"<b>Cash vs amortised, {how}: {gpus_text(offer.gpus)}, {offer.term}</b> ({currency})"
            f"&nbsp;&nbsp;&nbsp;{cash}"
            f"&nbsp;&nbsp;<span style='color:{AMORTISED_COLOR}'>━</span> amortised over the term"
            f"&nbsp;&nbsp;<span style='color:{theme.SCENARIO_COLOR}'>╍</span> on-demand cost avoided")

    def hover_at(self, x: float, y: float) -> str:
        amortised = self.data.get("amortised")
        i = int(round(x))
        if amortised is None or not 0 <= i < len(amortised):
            return ""
        cash = self.data.get("cash")
        cash_text = self.fmt.full(cash[i]) if cash is not None else "unknown"
        return (f"{self.month_names[i]}: cash {cash_text}, amortised {self.fmt.full(amortised[i])}, "
                f"on demand avoided {self.fmt.full(self.data['avoided'][i])}")


