"""The queue model alone: paging on demand, colours and texts, Qt's model contract."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from disdukcapil_desk.domain.dto import Cursor, Page, RequestRow, SlaState
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.ui.models.request_table_model import (
    COL_APPLICANT,
    COL_DUE,
    COL_NIK,
    COL_SERVICE,
    COL_STATUS,
    SLA_ROLE,
    RequestTableModel,
)
from disdukcapil_desk.ui.tasks import TaskRunner

TODAY = dt.date(2026, 11, 10)


def make_rows(count: int) -> list[RequestRow]:
    start = dt.datetime(2026, 11, 1, 1, tzinfo=dt.UTC)
    return [
        RequestRow(
            id=i + 1,
            number=f"DINAS/20261101/{i + 1:04d}",
            received_at=start + dt.timedelta(minutes=i),
            service_code="kia",
            service_name="Penerbitan KIA",
            location_code="DINAS",
            applicant_name=f"Warga {i}",
            nik_masked="3604********0001",
            channel="whatsapp",
            status=Status.NEW if i % 2 else Status.DONE,
            holder=None,
            lease_expires_at=None,
            sla_due=dt.date(2026, 11, 3 + i % 10),
            resubmission_count=0,
            possible_duplicate=False,
            version=1,
        )
        for i in range(count)
    ]


class FakeQueue:
    """Serves keyset pages from a list, counting how often it is asked."""

    def __init__(self, rows: list[RequestRow]) -> None:
        self.rows, self.calls = rows, 0

    def __call__(self, cursor: Cursor | None, size: int) -> Page:
        self.calls += 1
        start = (
            0
            if cursor is None
            else next(i + 1 for i, r in enumerate(self.rows) if r.id == cursor.id)
        )
        chunk = self.rows[start : start + size]
        more = start + size < len(self.rows)
        last = chunk[-1] if chunk else None
        return Page(tuple(chunk), Cursor(last.received_at, last.id) if more and last else None)


def test_pages_arrive_on_demand_and_pass_the_model_tester(qtmodeltester: ModelTester) -> None:
    queue = FakeQueue(make_rows(450))
    model = RequestTableModel(queue, page_size=200, today=lambda: TODAY)
    model.reload()
    assert model.rowCount() == 200 and model.canFetchMore()
    qtmodeltester.check(model)
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 450 and not model.canFetchMore()


def test_cells_say_status_and_sla_in_text_not_only_colour() -> None:
    model = RequestTableModel(FakeQueue(make_rows(6)), today=lambda: TODAY)
    model.reload()
    overdue = model.index(1, COL_DUE)  # new, due 4 Nov
    assert model.data(overdue) == "lewat 6 hari"
    assert model.data(overdue, SLA_ROLE) is SlaState.OVERDUE
    assert model.data(overdue, Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(0, COL_DUE)) == "—"  # done
    assert model.data(model.index(1, COL_STATUS)) == "Baru"
    assert "*" in model.data(model.index(1, COL_NIK))


def test_refresh_in_place_keeps_rows_and_reset_when_they_change() -> None:
    rows = make_rows(5)
    queue = FakeQueue(rows)
    model = RequestTableModel(queue, today=lambda: TODAY)
    model.reload()
    changed: list[int] = []
    resets: list[int] = []
    model.dataChanged.connect(lambda *_: changed.append(1))
    model.modelReset.connect(lambda: resets.append(1))
    model.refresh()
    assert (changed, resets) == ([1], [])
    queue.rows = rows[1:]
    model.refresh()
    assert resets == [1] and model.rowCount() == 4 and model.row_of_id(1) == -1


def test_pages_load_on_the_database_worker_and_stale_answers_are_dropped(
    qtbot: QtBot,
) -> None:
    rows = make_rows(450)
    threads: list[str] = []
    gate = threading.Event()

    def loader(cursor: Cursor | None, size: int) -> Page:
        threads.append(threading.current_thread().name)
        gate.wait(5)
        return FakeQueue(rows)(cursor, size)

    runner = TaskRunner()
    try:
        model = RequestTableModel(loader, runner=runner, page_size=200, today=lambda: TODAY)
        model.reload()
        assert model.loading and not model.canFetchMore() and model.rowCount() == 0
        model.reload()  # asked again before the first answer came: only the second one counts
        with qtbot.waitSignal(model.loaded, timeout=5000):
            gate.set()
        qtbot.wait(50)
        assert model.rowCount() == 200 and not model.loading
        assert threads and all(name.startswith("desk-db") for name in threads)
        model.fetchMore()
        qtbot.waitUntil(lambda: model.rowCount() == 400, timeout=5000)
        failures: list[BaseException] = []

        def unreachable(cursor: Cursor | None, size: int) -> Page:
            raise ConnectionError("putus")

        broken = RequestTableModel(unreachable, runner=runner)
        broken.load_failed.connect(failures.append)
        broken.reload()
        qtbot.waitUntil(lambda: bool(failures), timeout=5000)
        assert isinstance(failures[0], ConnectionError) and not broken.loading
    finally:
        runner.shutdown()


def test_the_queue_shows_the_applicant_the_subject_and_the_short_service(
    qtbot: QtBot,
) -> None:
    own, death = make_rows(2)
    death = dataclasses.replace(
        death,
        service_code="akta_kematian",
        service_name="Pencatatan Kematian / Penerbitan Kutipan Akta Kematian",
        service_short_name="Akta Kematian",
        applicant_name="Siti Aminah",
        subject_name="Sarmadi",
        subject_label="Yang meninggal dunia",
    )
    runner = TaskRunner()
    try:
        model = RequestTableModel(FakeQueue([own, death]), runner=runner, today=lambda: TODAY)
        model.reload()
        qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=5000)
        assert model.data(model.index(0, COL_APPLICANT)) == "Warga 0"
        assert model.data(model.index(1, COL_APPLICANT)) == "Siti Aminah → Sarmadi"
        assert model.data(model.index(0, COL_SERVICE)) == "Penerbitan KIA", "no short name"
        assert model.data(model.index(1, COL_SERVICE)) == "Akta Kematian"
        tip = model.data(model.index(1, COL_SERVICE), Qt.ItemDataRole.ToolTipRole)
        assert "Pemohon: Siti Aminah" in tip
        assert "Atas nama: Sarmadi (yang meninggal dunia)" in tip
        assert "Penerbitan Kutipan Akta Kematian" in tip, "the full name stays in the tooltip"
    finally:
        runner.shutdown()
