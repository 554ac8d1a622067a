"""The collection: returned books on the reshelving cart (and shelf searches that miss them), and
orders from the closed stacks waiting for a stack run."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy

from ..rng import Stream
from ..scenario import Reshelving as ReshelvingSpec
from ..scenario import Stacks as StacksSpec
from .budget import BOOK_BYTES, ROW_BYTES
from .context import Context, E
from .queues import Station
from .records import VISITS_PER_STEP, Job, StepRT

BOOK_ROOM = BOOK_BYTES + 2 * ROW_BYTES  # a returned book: on the cart, then its rows in the log


class Reshelving:
    """The reshelving cart: a run starts when `batch_size` books wait (or every `interval_min`)."""

    __slots__ = ("book_count", "book_times", "books_in_runs", "cart", "ctx", "queued", "runs", "setup", "spec",
                 "station")

    def __init__(self, ctx: Context, spec: ReshelvingSpec, station: Station) -> None:
        self.ctx = ctx
        self.spec = spec
        self.station = station
        self.cart: list[tuple[int, float]] = []  # (book, returned at)
        self.books_in_runs = 0
        self.book_count = 0
        self.queued = False
        self.runs = 0
        self.book_times = ctx.rng.mapped("reshelving.book", spec.time_per_book.from_uniform, "book")
        self.setup = ctx.rng.mapped("reshelving.run", spec.run_setup.from_uniform, "run") if spec.run_setup else None

    def attach(self, steps: list[StepRT]) -> None:
        """Shelf searches look on these shelves; steps that take returned books put them on this cart."""
        rng = self.ctx.rng
        for srt in steps:
            if srt.spec.kind == "shelf_search":
                srt.search = self.search
            books = srt.spec.returns_books
            if books is not None:
                stream = rng.mapped(f"step.{srt.sid}.books", books.from_uniform, "books")
                srt.return_books = self._returns(stream)

    def _returns(self, stream: Stream) -> Callable[[int], None]:
        check = self.ctx.check_budget

        def returned(n: int) -> None:
            books = stream[n]
            check(books * BOOK_ROOM)  # before a count drawn from a wide distribution fills memory
            self.books_returned(max(1, round(books)))

        return returned

    def search(self, srt: StepRT, n: int, g: int, visit: int) -> bool:
        """Reader `n` looks for a book: missing if misshelved or still waiting to be reshelved."""
        rs = self.spec
        waiting = len(self.cart) + self.books_in_runs
        p = min(rs.not_found_max, rs.misshelve_rate + rs.not_found_per_waiting_book * waiting)
        if srt.not_found[n * VISITS_PER_STEP + min(visit, VISITS_PER_STEP - 1)] < p:
            self.ctx.row(E.NOT_FOUND, n, g, srt.idx, srt.station.idx, -1, p)
            return False
        return True

    def books_returned(self, count: int) -> None:
        """`count` books go on the cart; a full cart calls for a run."""
        now = self.ctx.env._now
        for _ in range(count):
            self.cart.append((self.book_count, now))
            self.book_count += 1
        self.ctx.held_books += count
        self.ctx.row(E.BOOKS_RETURNED, -1, -1, -1, -1, -1, float(count))
        if len(self.cart) >= self.spec.batch_size and not self.queued:
            self._new_run()

    def _new_run(self) -> None:
        self.queued = True
        st = self.station
        run: list[tuple[int, float]] = []

        def start(job: Job) -> float:
            self.queued = False
            run.extend(self.cart)
            self.cart.clear()
            self.books_in_runs += len(run)
            minutes = sum(self.book_times[b] for b, _ in run)
            if self.setup is not None:
                minutes += self.setup[self.runs]
            job.walk = self.spec.walk_m_per_run
            self.runs += 1
            if len(self.cart) >= self.spec.batch_size:
                self._new_run()
            return minutes

        def done(job: Job) -> None:
            ctx = self.ctx
            now = ctx.env._now
            self.books_in_runs -= len(run)
            ctx.held_books -= len(run)
            for book, returned in run:
                ctx.row(E.BOOK_SHELVED, book, -1, -1, st.idx, -1, now - returned)
            if len(self.cart) >= self.spec.batch_size and not self.queued:
                self._new_run()

        st.enqueue(Job(st, None, done, on_start=start, after_hours=False))

    def on_open(self) -> None:
        """At opening: a cart that filled after hours is taken out."""
        if len(self.cart) >= self.spec.batch_size and not self.queued:
            self._new_run()

    def timer(self) -> Generator[simpy.Event, Any, None]:
        """Process: every `interval_min`, an open library takes out whatever is on the cart."""
        interval = self.spec.interval_min
        assert interval is not None
        env = self.ctx.env
        while True:
            yield env.timeout(interval)
            if not self.ctx.closed and self.cart and not self.queued:
                self._new_run()


class ClosedStacks:
    """Orders from the closed stacks wait for a run: on demand, or every `interval_min` while open."""

    __slots__ = ("_timer_process", "ctx", "item_times", "orders", "queued", "run_times", "runs", "spec", "station")

    def __init__(self, ctx: Context, spec: StacksSpec, station: Station) -> None:
        self.ctx = ctx
        self.spec = spec
        self.station = station
        self.orders: list[tuple[int, float, simpy.Event]] = []
        self.queued = False
        self.runs = 0
        self.run_times = ctx.rng.mapped("stacks.run", spec.run_time.from_uniform, "run")
        self.item_times = ctx.rng.mapped("stacks.item", spec.time_per_item.from_uniform, "item")
        self._timer_process: simpy.Process | None = None

    def attach(self, steps: list[StepRT]) -> None:
        """Stack-delivery steps order from these stacks."""
        for srt in steps:
            if srt.spec.kind == "stack_delivery":
                srt.order = self.order

    def order(self, n: int) -> simpy.Event:
        """Reader `n` orders an item; the event fires when a stack run brings it."""
        ctx = self.ctx
        done = ctx.env.event()
        self.orders.append((n, ctx.env.now, done))
        if (self.spec.mode == "on_demand" or ctx.closed) and not self.queued:
            self._new_run()
        return done

    def _new_run(self) -> None:
        self.queued = True
        st = self.station
        batch: list[tuple[int, float, simpy.Event]] = []

        def start(job: Job) -> float:
            self.queued = False
            batch.extend(self.orders)
            self.orders.clear()
            minutes = self.run_times[self.runs] + sum(self.item_times[n] for n, _, _ in batch)
            job.walk = self.spec.walk_m_per_run
            self.runs += 1
            return minutes

        def done(job: Job) -> None:
            for _, _, ev in batch:
                ev.succeed()
            if self.orders and not self.queued and (self.spec.mode == "on_demand" or self.ctx.closed):
                self._new_run()

        st.enqueue(Job(st, None, done, on_start=start, after_hours=True))

    def start(self) -> None:
        """Before the run: the one run timer of the run (interval mode), idle until the first opening."""
        if self.spec.mode == "interval":
            self._timer_process = self.ctx.env.process(self._timer())

    def on_open(self) -> None:
        """At opening: the run timer starts counting `interval_min` from now."""
        if self._timer_process is not None:
            self._timer_process.interrupt("open")

    def on_close(self) -> None:
        """At closing: the run timer stops; orders still waiting go with a last run."""
        if self._timer_process is not None:
            self._timer_process.interrupt("close")
        if self.orders and not self.queued:
            self._new_run()

    def _timer(self) -> Generator[simpy.Event, Any, None]:
        """Process, one per run: every `interval_min` while the library is open, a run takes the waiting orders.

        The clock interrupts it at each opening (it starts counting) and closing (it stops), so a long
        interval never carries over into the next day. An interrupt is delivered before anything else
        scheduled at that moment, as a new process would start.
        """
        env = self.ctx.env
        idle = env.event()  # never triggered: the timer sleeps on it while the library is closed
        while True:
            try:
                yield idle
            except simpy.Interrupt:
                pass  # opening
            try:
                while True:
                    yield env.timeout(self.spec.interval_min)
                    if not self.ctx.closed and self.orders and not self.queued:
                        self._new_run()
            except simpy.Interrupt:
                pass  # closing
