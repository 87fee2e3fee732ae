"""The SOP's flowchart drawn as the SOP AP form draws it (Permenpan RB 35/2012), as a PNG.

The picture is the form's table: No | Aktivitas | one column per pelaksana | Mutu Baku
(Persyaratan, Waktu, Output) | Keterangan, one table row per SOP row. Each task of a row is a
symbol in the column of the position that holds it, one below the other in the order the
bot runs them: a capsule where the SOP starts and ends, a rectangle for a process, a diamond
for a decision. Arrows follow the flow; a decision's "Ya" goes on down, its "Tidak" (a
return) runs up a lane at the side of a column, so it crosses no symbol. The symbols carry a
code ("1a", "1b", ...) that the Aktivitas cell spells out with the task's title.

Pure: an `Sop` in, PNG bytes out. It uses matplotlib's Agg canvas directly (no pyplot and
no GUI, so no global state: safe in a worker thread) and its bundled DejaVu Sans. It reads
the SOP through the fields both SOP file formats share, and format 2's named outcomes
(`pilihan`) and optional tasks when the model has them. matplotlib is loaded when the
first picture is drawn.
"""

from __future__ import annotations

import io
import struct
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workflow.sop import Sop
from workflow.waktu import Waktu

# matplotlib is imported where a picture is drawn, not with this module: importing it takes
# about a second and some 20 MiB, which a bot that draws no picture need not pay at start-up.
if TYPE_CHECKING:
    from matplotlib.backends.backend_agg import RendererAgg

DRAWING_VERSION = 1
"""Raise when the drawing changes, so that pictures kept from an earlier version are redrawn."""

DPI = 100  # one data unit is one pixel
MIN_WIDTH, MAX_WIDTH = 1600, 2400
"""Wide enough for the form's columns, narrow enough to read on a phone when zoomed."""

START, END = "__mulai__", "__selesai__"
CAPSULE, PROCESS, DECISION = "kapsul", "proses", "keputusan"
DECISION_KINDS = frozenset({"telaah", "keputusan"})

FONT = "DejaVu Sans"
TITLE_PT, SUBTITLE_PT, HEAD_PT, BODY_PT, SMALL_PT, SYMBOL_PT = 22, 14, 13, 13, 11.5, 13
HEADING_SIZES = (HEAD_PT, 12, 11, 10)
LINE_SPACING = 1.32
INK = "#1d1d1d"
GRID = "#55606b"
HEAD_FILL = "#dfe7f0"
TOTAL_FILL = "#f2f4f7"
RETURN = "#b3261e"
HINT = "#4a5560"
FILLS = {CAPSULE: "#e3f1e6", PROCESS: "#eaf2fb", DECISION: "#fff3d1"}

MARGIN = 36  # around the picture
PAD = 12  # inside every cell
SLOT = 100  # the height one symbol needs, with its arrows
LANE_FIRST, LANE_STEP, LANES = 9, 7, 3  # return lanes inside a column's margin
ACTIVITY_LINES, TASK_LINES, CELL_LINES = 10, 2, 8


@dataclass
class _Node:
    """A symbol: a task, or the start or end; placed (x, y: its centre) once laid out."""

    key: str
    code: str
    shape: str
    columns: tuple[int, ...]
    """Pelaksana columns the symbol is drawn in; arrows attach to the first."""
    level: int
    row: int
    dashed: bool = False
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0
    side_uses: dict[str, int] = field(default_factory=dict)
    """Arrows already leaving ("kiri", "kanan") or entering ("masuk-kiri", ...) each side,
    so that the next one is set apart."""


@dataclass(frozen=True)
class Arrow:
    """An arrow of the flowchart: from a symbol (a task id, START) to another (a task id,
    END), with its label ("Ya", "Tidak", an outcome's name) if it has one."""

    source: str
    target: str
    label: str = ""


@dataclass(frozen=True)
class _Column:
    left: float
    width: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def center(self) -> float:
        return self.left + self.width / 2


# The flow ---------------------------------------------------------------------------------


def _kind(task: Any) -> str:
    return str(getattr(task.jenis, "value", task.jenis))


def _choices(task: Any) -> tuple[Any, ...]:
    return tuple(getattr(task, "pilihan", None) or ())


def _is_decision(task: Any) -> bool:
    return _kind(task) in DECISION_KINDS or bool(_choices(task))


def _resolve(sop: Sop, target: object) -> str:
    """A task id, "langkah N" (that row's first task) or "selesai", as a node key."""
    text = str(target).strip()
    if text.lower() == "selesai":
        return END
    if text.lower().startswith("langkah"):
        number = text[len("langkah") :].strip()
        for row in sop.langkah:
            if row.label == number:
                return str(row.tugas[0].id)
    return text


def arrows(sop: Sop) -> list[Arrow]:
    """Every arrow of the flow, in the order of the tasks."""
    tasks = [task for row in sop.langkah for task in row.tugas]
    edges = [Arrow(START, str(tasks[0].id))]
    for index, task in enumerate(tasks):
        jump = getattr(task, "lanjut_ke", None)
        if jump:
            following = _resolve(sop, jump)
        elif _kind(task) == "keputusan" and not _choices(task):
            following = END  # the final decision: approving ends the SOP
        else:
            following = str(tasks[index + 1].id) if index + 1 < len(tasks) else END
        choices = _choices(task)
        if choices:
            edges.extend(
                Arrow(task.id, _resolve(sop, getattr(c, "ke", "")), str(getattr(c, "label", "")))
                for c in choices
            )
        elif _is_decision(task):
            edges.append(Arrow(task.id, following, "Ya"))
            back = getattr(task, "kembali_ke", None)
            if back:
                edges.append(Arrow(task.id, _resolve(sop, back), "Tidak"))
        else:
            edges.append(Arrow(task.id, following))
    return edges


def _code(number: str, index: int, count: int) -> str:
    """The symbol's code: the row's number, and a letter for each of several tasks ("1a",
    "1b"); after a number that ends in a letter ("2a"), a digit ("2a-1")."""
    if count == 1:
        return number
    if number[-1:].isdigit():
        return number + "abcdefghijklmnopqrstuvwxyz"[index % 26]
    return f"{number}-{index + 1}"


def _nodes(sop: Sop, columns: Sequence[str]) -> dict[str, _Node]:
    index = {key: number for number, key in enumerate(columns)}
    nodes: dict[str, _Node] = {}
    level = 1
    first_row = sop.langkah[0]
    for row_index, row in enumerate(sop.langkah):
        row_columns = [index[key] for key in row.pelaksana if key in index] or [0]
        for task_index, task in enumerate(row.tugas):
            keys = [*task.oleh, *getattr(task, "peserta", ())]
            where = tuple(dict.fromkeys(index[key] for key in keys if key in index))
            nodes[task.id] = _Node(
                key=task.id,
                code=_code(row.label, task_index, len(row.tugas)),
                shape=DECISION if _is_decision(task) else PROCESS,
                columns=where or (row_columns[0],),
                level=level,
                row=row_index,
                dashed=bool(getattr(task, "opsional", False)),
            )
            level += 1
    first = nodes[first_row.tugas[0].id]
    nodes[START] = _Node(START, "Mulai", CAPSULE, first.columns[:1], 0, 0)
    last = max(nodes.values(), key=lambda node: node.level)
    nodes[END] = _Node(END, "Selesai", CAPSULE, last.columns[:1], level, len(sop.langkah) - 1)
    return nodes


# Text -------------------------------------------------------------------------------------


class _Measure:
    """Text widths in pixels, from the canvas the picture is drawn on."""

    def __init__(self, renderer: RendererAgg) -> None:
        self.renderer = renderer
        self.cache: dict[tuple[str, float, str], float] = {}

    def width(self, text: str, size: float, weight: str = "normal") -> float:
        from matplotlib.font_manager import FontProperties

        key = (text, size, weight)
        if key not in self.cache:
            prop = FontProperties(family=FONT, size=size, weight=weight)
            measured = self.renderer.get_text_width_height_descent  # untyped in matplotlib
            width, _, _ = measured(text, prop, ismath=False)  # type: ignore[no-untyped-call]
            self.cache[key] = float(width)
        return self.cache[key]

    def wrap(
        self, text: str, width: float, size: float, *, limit: int, weight: str = "normal"
    ) -> list[str]:
        """Lines no wider than `width`; at most `limit` of them, the last one cut with "…"."""
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            line = ""
            for word in paragraph.split():
                for piece in self._pieces(word, width, size, weight):
                    candidate = f"{line} {piece}" if line else piece
                    if line and self.width(candidate, size, weight) > width:
                        lines.append(line)
                        line = piece
                    else:
                        line = candidate
            lines.append(line)
        while len(lines) > 1 and not lines[-1]:
            lines.pop()
        if len(lines) <= limit:
            return lines
        kept = lines[:limit]
        last = kept[-1]
        while last and self.width(last + " …", size, weight) > width:
            last = last[:-1].rstrip()
        kept[-1] = f"{last} …" if last else "…"
        return kept

    def _pieces(self, word: str, width: float, size: float, weight: str) -> Iterator[str]:
        """A word wider than the column, cut into parts that fit."""
        while self.width(word, size, weight) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and self.width(word[:cut] + "-", size, weight) > width:
                cut -= 1
            yield word[:cut] + "-"
            word = word[cut:]
        yield word


def _px(points: float) -> float:
    return points * DPI / 72


def _line_height(points: float) -> float:
    return _px(points) * LINE_SPACING


def _listed(items: Sequence[str]) -> str:
    if not items:
        return "–"
    if len(items) == 1:
        return items[0]
    return "\n".join(f"• {item}" for item in items)


def _waktu(value: Waktu) -> str:
    """A row's waktu as the document writes it."""
    return value.text


def _total(sop: Sop) -> str:
    return sop.total_text


def _label(sop: Sop, key: str) -> str:
    try:
        return str(sop.position(key).label)
    except (KeyError, AttributeError, LookupError):
        return key


# The drawing ------------------------------------------------------------------------------


@dataclass
class _Layout:
    no: _Column
    activity: _Column
    actors: list[_Column]
    needs: _Column
    time: _Column
    output: _Column
    notes: _Column

    @property
    def width(self) -> float:
        return self.notes.right + MARGIN


def _columns(count: int) -> _Layout:
    """The form's columns, widened or narrowed to fit between MIN_WIDTH and MAX_WIDTH."""
    widths = {"no": 58.0, "activity": 500.0, "needs": 230.0, "time": 132.0, "output": 230.0}
    widths["notes"] = 170.0
    actor = 190.0
    fixed = sum(widths.values()) + 2 * MARGIN
    if fixed + count * actor > MAX_WIDTH:
        actor = max(128.0, (MAX_WIDTH - fixed) / count)
    total = fixed + count * actor
    if total < MIN_WIDTH:
        widths["activity"] += MIN_WIDTH - total
    # Many pelaksana: the text columns give way, down to what still reads.
    for name, narrowest in (("activity", 320.0), ("needs", 170.0), ("output", 170.0)):
        excess = sum(widths.values()) + 2 * MARGIN + count * actor - MAX_WIDTH
        if excess > 0:
            widths[name] = max(narrowest, widths[name] - excess)
    excess = sum(widths.values()) + 2 * MARGIN + count * actor - MAX_WIDTH
    if excess > 0:
        actor = max(110.0, actor - excess / count)
    x = float(MARGIN)

    def take(width: float) -> _Column:
        nonlocal x
        column = _Column(x, width)
        x += width
        return column

    no, activity = take(widths["no"]), take(widths["activity"])
    actors = [take(actor) for _ in range(count)]
    return _Layout(
        no, activity, actors, take(widths["needs"]), take(widths["time"]),
        take(widths["output"]), take(widths["notes"]),
    )  # fmt: skip


@dataclass(frozen=True)
class _Cells:
    """A table row's texts, wrapped to their columns, and the height they need."""

    activity: list[str]
    tasks: list[str]
    needs: list[str]
    time: list[str]
    output: list[str]
    notes: list[str]
    height: float


class _Drawing:
    """One picture being drawn: measure the texts, lay out the table, draw, save."""

    def __init__(self, sop: Sop) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.sop = sop
        self.keys = list(sop.pelaksana)
        self.figure = Figure(figsize=(MIN_WIDTH / DPI, 10), dpi=DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        self.measure = _Measure(self.canvas.get_renderer())  # type: ignore[no-untyped-call]
        self.layout = _columns(len(self.keys))
        self.nodes = _nodes(sop, self.keys)
        self.edges = [e for e in arrows(sop) if e.target in self.nodes and e.source != e.target]
        self.ax: Any = None

    # Text helpers ---------------------------------------------------------------------

    def lines(
        self, text: str, column: _Column, size: float, *, limit: int, weight: str = "normal"
    ) -> list[str]:
        return self.measure.wrap(text, column.width - 2 * PAD, size, limit=limit, weight=weight)

    def heading(self, text: str, column: _Column) -> tuple[list[str], float]:
        """A column's heading in bold, smaller in a narrow column rather than cut mid-word."""
        width = column.width - 2 * PAD
        for size in HEADING_SIZES:
            if all(self.measure.width(w, size, "bold") <= width for w in text.split()):
                break
        return self.measure.wrap(text, width, size, limit=3, weight="bold"), size

    def write(
        self,
        lines: Sequence[str],
        x: float,
        top: float,
        size: float,
        *,
        weight: str = "normal",
        color: str = INK,
        align: str = "left",
        style: str = "normal",
    ) -> float:
        """Draw lines from `top` down; returns the y below the last one."""
        step = _line_height(size)
        for number, line in enumerate(lines):
            self.ax.text(
                x, top + number * step, line, fontsize=size, fontweight=weight, color=color,
                ha=align, va="top", family=FONT, fontstyle=style,
            )  # fmt: skip
        return top + len(lines) * step

    def box(self, left: float, top: float, width: float, height: float, fill: str) -> None:
        from matplotlib.patches import Rectangle

        self.ax.add_patch(
            Rectangle((left, top), width, height, facecolor=fill, edgecolor=GRID, linewidth=1.2)
        )

    # The parts ------------------------------------------------------------------------

    def title_block(self) -> list[tuple[list[str], float, str]]:
        """The SOP's title, agency and number above the table: (lines, size, weight)."""
        ident = self.sop.identitas
        usable = self.layout.width - 2 * MARGIN
        title = self.measure.wrap(f"SOP {ident.judul}", usable, TITLE_PT, limit=2, weight="bold")
        parts = [(title, float(TITLE_PT), "bold")]
        number = str(getattr(ident, "nomor", "") or "")
        for text in (str(getattr(ident, "instansi", "") or ""), number and f"Nomor: {number}"):
            if text:
                lines = self.measure.wrap(text, usable, SUBTITLE_PT, limit=2)
                parts.append((lines, float(SUBTITLE_PT), "normal"))
        return parts

    def draw(self) -> bytes:
        layout = self.layout
        title_parts = self.title_block()
        title_height = MARGIN + 18 + sum(len(ls) * _line_height(pt) for ls, pt, _ in title_parts)
        group_head = _line_height(HEAD_PT) + 2 * PAD - 4
        labels = [
            self.heading(_label(self.sop, key), column)
            for key, column in zip(self.keys, layout.actors, strict=True)
        ]
        mutu = [
            self.heading(text, column)
            for text, column in (
                ("Persyaratan/ Kelengkapan", layout.needs),
                ("Waktu", layout.time),
                ("Output", layout.output),
            )
        ]
        sub_head = max(len(lines) * _line_height(size) for lines, size in [*labels, *mutu])
        sub_head += 2 * PAD
        table_top = title_height
        body_top = table_top + group_head + sub_head

        # Rows: their texts decide their heights, unless their symbols need more.
        cells = [self.row_cells(index) for index in range(len(self.sop.langkah))]
        levels = [
            sorted(node.level for node in self.nodes.values() if node.row == index)
            for index in range(len(self.sop.langkah))
        ]
        heights = [
            max(text + 2 * PAD, len(row_levels) * SLOT + 2 * PAD)
            for text, row_levels in zip((c.height for c in cells), levels, strict=True)
        ]
        total = self.lines(_total(self.sop), layout.time, BODY_PT, limit=2, weight="bold")
        total_height = len(total) * _line_height(BODY_PT) + 2 * PAD
        legend_height = 96.0
        height = body_top + sum(heights) + total_height + legend_height + MARGIN

        self.figure.set_size_inches(layout.width / DPI, height / DPI)
        self.ax = self.figure.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, layout.width)
        self.ax.set_ylim(height, 0)
        self.ax.set_axis_off()
        self.figure.patch.set_facecolor("white")

        y = float(MARGIN)
        for lines, size, weight in title_parts:
            y = self.write(lines, MARGIN, y, size, weight=weight)

        self.header(table_top, group_head, sub_head, labels, mutu)
        top = body_top
        for index, row_height in enumerate(heights):
            self.row(index, cells[index], top, row_height, levels[index])
            top += row_height
        self.total_row(top, total_height, total)
        self.flow()
        self.legend(top + total_height + 26)

        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
        return buffer.getvalue()

    def header(
        self,
        top: float,
        group: float,
        sub: float,
        labels: list[tuple[list[str], float]],
        mutu: list[tuple[list[str], float]],
    ) -> None:
        layout = self.layout
        both = group + sub
        for column, text in (
            (layout.no, "No"),
            (layout.activity, "Aktivitas"),
            (layout.notes, "Keterangan"),
        ):
            self.box(column.left, top, column.width, both, HEAD_FILL)
            lines = self.lines(text, column, HEAD_PT, limit=2, weight="bold")
            middle = top + both / 2 - len(lines) * _line_height(HEAD_PT) / 2
            self.write(lines, column.center, middle, HEAD_PT, weight="bold", align="center")
        for first, last, text in (
            (layout.actors[0], layout.actors[-1], "Pelaksana"),
            (layout.needs, layout.output, "Mutu Baku"),
        ):
            middle = (first.left + last.right) / 2
            self.box(first.left, top, last.right - first.left, group, HEAD_FILL)
            self.write([text], middle, top + PAD - 2, HEAD_PT, weight="bold", align="center")
        for column, (lines, size) in [
            *zip(layout.actors, labels, strict=True),
            *zip((layout.needs, layout.time, layout.output), mutu, strict=True),
        ]:
            self.box(column.left, top + group, column.width, sub, HEAD_FILL)
            middle = top + group + sub / 2 - len(lines) * _line_height(size) / 2
            self.write(lines, column.center, middle, size, weight="bold", align="center")

    def row_cells(self, index: int) -> _Cells:
        row = self.sop.langkah[index]
        layout = self.layout
        activity = self.lines(row.aktivitas, layout.activity, BODY_PT, limit=ACTIVITY_LINES)
        tasks = [
            line
            for task in row.tugas
            for line in self.lines(
                f"{self.nodes[task.id].code}  {task.judul}", layout.activity, SMALL_PT,
                limit=TASK_LINES,
            )
        ]  # fmt: skip
        needs = self.lines(_listed(row.persyaratan), layout.needs, BODY_PT, limit=CELL_LINES)
        output = self.lines(_listed(row.output), layout.output, BODY_PT, limit=CELL_LINES)
        time = self.lines(_waktu(row.waktu), layout.time, BODY_PT, limit=3)
        notes = self.lines(
            str(getattr(row, "keterangan", "") or ""), layout.notes, SMALL_PT, limit=CELL_LINES
        )
        body = _line_height(BODY_PT)
        activity_height = len(activity) * body + 8 + len(tasks) * _line_height(SMALL_PT)
        height = max(
            activity_height,
            len(needs) * body,
            len(output) * body,
            len(time) * body,
            len(notes) * _line_height(SMALL_PT),
        )
        return _Cells(activity, tasks, needs, time, output, notes, height)

    def row(self, index: int, cells: _Cells, top: float, height: float, levels: list[int]) -> None:
        layout = self.layout
        row = self.sop.langkah[index]
        for column in (
            layout.no, layout.activity, *layout.actors, layout.needs, layout.time,
            layout.output, layout.notes,
        ):  # fmt: skip
            self.box(column.left, top, column.width, height, "white")
        self.write([row.label], layout.no.center, top + PAD, BODY_PT, weight="bold",
                   align="center")  # fmt: skip
        below = self.write(cells.activity, layout.activity.left + PAD, top + PAD, BODY_PT)
        self.write(cells.tasks, layout.activity.left + PAD, below + 8, SMALL_PT, color=HINT,
                   style="italic")  # fmt: skip
        self.write(cells.needs, layout.needs.left + PAD, top + PAD, BODY_PT)
        self.write(cells.time, layout.time.center, top + PAD, BODY_PT, align="center")
        self.write(cells.output, layout.output.left + PAD, top + PAD, BODY_PT)
        self.write(cells.notes, layout.notes.left + PAD, top + PAD, SMALL_PT)
        # The symbols share the row's height evenly, in the order the tasks run.
        slot = (height - 2 * PAD) / len(levels)
        for number, level in enumerate(levels):
            node = next(n for n in self.nodes.values() if n.level == level)
            node.y = top + PAD + (number + 0.5) * slot
            column = layout.actors[node.columns[0]]
            node.x = column.center
            node.width = min(column.width * 0.68, 150.0)
            node.height = {CAPSULE: 42.0, PROCESS: 48.0, DECISION: 66.0}[node.shape]

    def total_row(self, top: float, height: float, lines: list[str]) -> None:
        layout = self.layout
        left = layout.no.left
        self.box(left, top, layout.needs.right - left, height, TOTAL_FILL)
        self.write(["Jumlah waktu"], layout.needs.right - PAD, top + PAD, BODY_PT,
                   weight="bold", align="right")  # fmt: skip
        self.box(layout.time.left, top, layout.time.width, height, TOTAL_FILL)
        self.write(lines, layout.time.center, top + PAD, BODY_PT, weight="bold", align="center")
        for column in (layout.output, layout.notes):
            self.box(column.left, top, column.width, height, TOTAL_FILL)

    # Symbols and arrows ---------------------------------------------------------------

    def symbol(self, node: _Node, x: float, primary: bool) -> None:
        from matplotlib.patches import FancyBboxPatch, Polygon, Rectangle

        w, h, y = node.width, node.height, node.y
        style = "--" if node.dashed else "-"
        common: dict[str, Any] = {
            "facecolor": FILLS[node.shape], "edgecolor": INK, "linewidth": 2.0,
            "linestyle": style, "zorder": 3,
        }  # fmt: skip
        if node.shape == DECISION:
            points = [(x, y - h / 2), (x + w / 2, y), (x, y + h / 2), (x - w / 2, y)]
            self.ax.add_patch(Polygon(points, closed=True, **common))
        elif node.shape == CAPSULE:
            self.ax.add_patch(
                FancyBboxPatch(
                    (x - w / 2, y - h / 2), w, h,
                    boxstyle=f"round,pad=0,rounding_size={h / 2}", **common,
                )
            )  # fmt: skip
        else:
            self.ax.add_patch(Rectangle((x - w / 2, y - h / 2), w, h, **common))
        size = SYMBOL_PT if node.shape != CAPSULE else SMALL_PT
        self.ax.text(
            x, y, node.code, fontsize=size, fontweight="bold", ha="center", va="center",
            color=INK if primary else HINT, family=FONT, zorder=4,
        )  # fmt: skip

    def flow(self) -> None:
        actors = self.layout.actors
        for node in self.nodes.values():
            # A task of several positions: a symbol in each column, joined by a dashed line.
            others = [actors[c].center for c in node.columns[1:]]
            for x in others:
                self.line([(node.x, node.y), (x, node.y)], INK, dashed=True, zorder=1)
            for x in others:
                self.symbol(node, x, primary=False)
            self.symbol(node, node.x, primary=True)
        lanes: dict[tuple[int, str], int] = {}
        for source_key in dict.fromkeys(e.source for e in self.edges):
            outgoing = [e for e in self.edges if e.source == source_key]
            source = self.nodes[source_key]
            down = next(
                (e for e in outgoing if self.nodes[e.target].level == source.level + 1), None
            )
            for edge in outgoing:
                target = self.nodes[edge.target]
                if edge is down:
                    self.down(source, target, edge.label)
                else:
                    self.side(source, target, edge.label, lanes)

    def line(
        self,
        points: Sequence[tuple[float, float]],
        color: str,
        *,
        dashed: bool = False,
        zorder: float = 2,
    ) -> None:
        xs, ys = zip(*points, strict=True)
        self.ax.plot(xs, ys, color=color, linewidth=1.8, linestyle="--" if dashed else "-",
                     zorder=zorder, solid_capstyle="butt")  # fmt: skip

    def arrow(self, points: Sequence[tuple[float, float]], color: str) -> None:
        from matplotlib.patches import FancyArrowPatch

        if len(points) > 2:
            self.line(points[:-1], color)
        self.ax.add_patch(
            FancyArrowPatch(
                points[-2], points[-1], arrowstyle="-|>", mutation_scale=20, color=color,
                linewidth=1.8, shrinkA=0, shrinkB=0, zorder=2,
            )
        )  # fmt: skip

    def tag(self, text: str, x: float, y: float, color: str, align: str, valign: str) -> None:
        if not text:
            return
        self.ax.text(
            x, y, textwrap.shorten(text, 22, placeholder="…"), fontsize=SMALL_PT,
            fontweight="bold", color=color, ha=align, va=valign, family=FONT, zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
        )  # fmt: skip

    def down(self, source: _Node, target: _Node, label: str) -> None:
        start = (source.x, source.y + source.height / 2)
        end = (target.x, target.y - target.height / 2)
        if abs(source.x - target.x) < 1:
            points = [start, end]
        else:
            bend = (start[1] + end[1]) / 2
            if source.row != target.row:  # run below the row's line, not along it
                bend = end[1] - min(22.0, (end[1] - start[1]) / 3)
            points = [start, (start[0], bend), (end[0], bend), end]
        self.arrow(points, INK)
        self.tag(label, start[0] + 8, start[1] + 3, INK, "left", "top")

    def side(
        self, source: _Node, target: _Node, label: str, lanes: dict[tuple[int, str], int]
    ) -> None:
        """An arrow out of the symbol's side, along a lane at the side of its column, and
        into the target's side: returns go up this way, jumps go down."""
        column_index = source.columns[0]
        column = self.layout.actors[column_index]
        wanted = "kiri" if target.x < source.x - 1 else "kanan"
        other = "kanan" if wanted == "kiri" else "kiri"
        side = wanted if not source.side_uses.get(wanted) else other
        if source.side_uses.get(side):
            side = wanted
        exit_offset = 10.0 * source.side_uses.get(side, 0)
        source.side_uses[side] = source.side_uses.get(side, 0) + 1
        sign = -1 if side == "kiri" else 1
        start = (source.x + sign * source.width / 2, source.y + exit_offset)
        used = lanes.get((column_index, side), 0)
        lanes[(column_index, side)] = used + 1
        inset = LANE_FIRST + LANE_STEP * (used % LANES)
        lane = column.left + inset if side == "kiri" else column.right - inset
        facing = "kanan" if target.x < lane else "kiri"
        entries = target.side_uses.get("masuk-" + facing, 0)
        target.side_uses["masuk-" + facing] = entries + 1
        entry_y = target.y + (0, -10, 10, -18, 18)[entries % 5]
        if len(target.columns) > 1 and entries == 0:
            entry_y = target.y - target.height / 4  # clear of the dashed joining line
        entry_x = target.x + (target.width / 2 if facing == "kanan" else -target.width / 2)
        if target.shape == DECISION:  # a diamond's side slopes: meet its edge
            rise = abs(entry_y - target.y) / (target.height / 2)
            entry_x = target.x + (entry_x - target.x) * (1 - rise)
        back = target.level <= source.level
        color = RETURN if back else INK
        self.arrow([start, (lane, start[1]), (lane, entry_y), (entry_x, entry_y)], color)
        # The label sits on the side of the exit the lane does not run along.
        align = "right" if side == "kiri" else "left"
        if back:
            self.tag(label, start[0] + sign * 4, start[1] + 5, color, align, "top")
        else:
            self.tag(label, start[0] + sign * 4, start[1] - 5, color, align, "bottom")

    def legend(self, top: float) -> None:
        x = float(MARGIN)
        y = top + 20
        items = [
            (CAPSULE, "Mulai / Selesai"),
            (PROCESS, "Proses"),
            (DECISION, "Keputusan (Ya / Tidak)"),
        ]
        for shape, text in items:
            node = _Node("", "", shape, (0,), 0, 0, x=x + 34, y=y, width=64.0)
            node.height = {CAPSULE: 26.0, PROCESS: 30.0, DECISION: 40.0}[shape]
            self.symbol(node, node.x, primary=True)
            self.ax.text(x + 78, y, text, fontsize=SMALL_PT, va="center", family=FONT,
                         color=INK)  # fmt: skip
            x += 84 + self.measure.width(text, SMALL_PT) + 40
        self.arrow([(x, y), (x + 60, y)], INK)
        self.ax.text(x + 70, y, "Alur", fontsize=SMALL_PT, va="center", family=FONT)
        x += 70 + self.measure.width("Alur", SMALL_PT) + 40
        self.arrow([(x, y), (x + 60, y)], RETURN)
        text = "Dikembalikan (Tidak)"
        self.ax.text(x + 70, y, text, fontsize=SMALL_PT, va="center", family=FONT, color=RETURN)
        x += 70 + self.measure.width(text, SMALL_PT) + 40
        self.ax.text(
            x, y, "1a, 1b …: tugas pada langkah itu (lihat kolom Aktivitas)",
            fontsize=SMALL_PT, va="center", family=FONT, color=HINT, fontstyle="italic",
        )  # fmt: skip


def draw_flowchart(sop: Sop) -> bytes:
    """The SOP's flowchart table (SOP AP form) as PNG bytes."""
    return _Drawing(sop).draw()


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its header."""
    if not data.startswith(PNG_SIGNATURE) or len(data) < 24:
        raise ValueError("bukan berkas PNG")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)
