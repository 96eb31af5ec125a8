"""Credentials issued over time: counts per week or month, laid out as an inline SVG bar chart.

The counting is one aggregate query (TruncWeek / TruncMonth, on SQLite and PostgreSQL); the
layout is plain arithmetic the template draws, so the chart needs no JavaScript. Periods with no
credential are kept as zero bars, so the time axis is even.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext, ngettext

from microdegree.issuing.models import IssuedCredential

PERIODS = {"week": 12, "month": 12}
WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 640, 220, 18, 44, 40
FONT_SIZE = 13  # SVG units; the chart is never drawn narrower than 32rem (site.css)


@dataclass(frozen=True)
class Bar:
    start: date
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float
    show_label: bool = True
    axis_lines: tuple[str, ...] = ()

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class Chart:
    by: str
    bars: list[Bar]
    total: int
    max_count: int
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def baseline(self) -> int:
        return HEIGHT - BOTTOM

    @property
    def label_y(self) -> int:
        return HEIGHT - BOTTOM + 16

    @property
    def label_step(self) -> int:
        return FONT_SIZE + 2

    @property
    def font_size(self) -> int:
        return FONT_SIZE

    @property
    def mid_count(self) -> int:
        """A whole number half way up the axis (0 when the axis is too short for one)."""
        return self.max_count // 2 if self.max_count >= 2 else 0

    @property
    def mid_y(self) -> float:
        if not self.mid_count:
            return float(self.baseline)
        return round(self.baseline - (self.baseline - TOP) * self.mid_count / self.max_count, 1)

    @property
    def left(self) -> int:
        return LEFT

    @property
    def top(self) -> int:
        return TOP

    @property
    def title(self) -> str:
        values = {"n": len(self.bars)}
        if self.by == "week":
            return gettext("Credentials issued per week, last %(n)s weeks") % values
        return gettext("Credentials issued per month, last %(n)s months") % values

    @property
    def description(self) -> str:
        busiest = max(self.bars, key=lambda b: b.count, default=None)
        n = len(self.bars)
        if busiest is None or busiest.count == 0:
            if self.by == "week":
                return gettext("No credentials were issued in the last %(n)s weeks.") % {"n": n}
            return gettext("No credentials were issued in the last %(n)s months.") % {"n": n}
        values = {"total": self.total, "n": n, "label": busiest.label, "count": busiest.count}
        if self.by == "week":
            return ngettext(
                "%(total)s credential in the last %(n)s weeks; the busiest week was %(label)s "
                "with %(count)s.",
                "%(total)s credentials in the last %(n)s weeks; the busiest week was %(label)s "
                "with %(count)s.", self.total) % values
        return ngettext(
            "%(total)s credential in the last %(n)s months; the busiest month was %(label)s "
            "with %(count)s.",
            "%(total)s credentials in the last %(n)s months; the busiest month was %(label)s "
            "with %(count)s.", self.total) % values


def _period_starts(by: str, today: date, count: int) -> list[date]:
    if by == "week":
        monday = today - timedelta(days=today.weekday())
        return [monday - timedelta(weeks=n) for n in range(count - 1, -1, -1)]
    starts = []
    year, month = today.year, today.month
    for _ in range(count):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def _label(by: str, start: date) -> str:
    """The period's name in the reader's language ("07 Dec", "07 Dez"; "Dec 2026")."""
    return format_date(start, "d M") if by == "week" else format_date(start, "M Y")


def _axis_lines(by: str, start: date) -> tuple[str, ...]:
    """The label under a bar, on two short lines for a month so neighbours do not overlap."""
    return (format_date(start, "d M"),) if by == "week" else (format_date(start, "M"),
                                                              str(start.year))


def _show_label(index: int, count: int, last: int) -> bool:
    """Every other bar is labelled, counting back from the latest period, so two labels never
    stand side by side ("30 Nov" and "07 Dez" ran together); a bar's count is written above it
    whatever its label."""
    return (last - index) % 2 == 0


def counts(institution: Any, by: str, starts: list[date]) -> dict[date, int]:
    """Credentials issued per period start, from `starts[0]` on (one query)."""
    trunc = TruncWeek if by == "week" else TruncMonth
    since = datetime(starts[0].year, starts[0].month, starts[0].day, tzinfo=UTC)
    rows = (IssuedCredential.objects.filter(institution=institution, issued_at__gte=since)
            .annotate(period=trunc("issued_at", tzinfo=UTC)).values("period")
            .annotate(n=Count("id")).order_by("period"))
    out: dict[date, int] = {}
    for row in rows:
        period = row["period"]
        key = period.date() if isinstance(period, datetime) else period
        out[key] = out.get(key, 0) + row["n"]
    return out


def issued_chart(institution: Any, by: str = "week", *, today: date | None = None) -> Chart:
    by = by if by in PERIODS else "week"
    today = today or datetime.now(UTC).date()
    starts = _period_starts(by, today, PERIODS[by])
    found = counts(institution, by, starts)
    values = [found.get(start, 0) for start in starts]
    top = max(values, default=0)
    plot_w = WIDTH - LEFT - 8
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / len(starts)
    bars = []
    for i, (start, value) in enumerate(zip(starts, values, strict=True)):
        h = round(plot_h * value / top, 1) if top else 0.0
        bars.append(Bar(start=start, label=_label(by, start), count=value,
                        x=round(LEFT + i * slot + slot * 0.15, 1),
                        y=round(HEIGHT - BOTTOM - h, 1), width=round(slot * 0.7, 1),
                        height=h, show_label=_show_label(i, value, len(starts) - 1),
                        axis_lines=_axis_lines(by, start)))
    return Chart(by=by, bars=bars, total=sum(values), max_count=top)
