"""An SOP file may name the one agency (instansi) that runs it; without it, every agency does."""

from __future__ import annotations

from tests.workflow.test_sop import OFFICE, problem, renja_data
from workflow.sop import parse_sop


def test_an_sop_without_an_agency_is_every_agencys() -> None:
    assert parse_sop(renja_data(), organisation=OFFICE).instansi is None


def test_an_sop_names_its_agency_by_key() -> None:
    data = {**renja_data(), "instansi": "dinkes"}
    assert parse_sop(data, organisation=OFFICE).instansi == "dinkes"


def test_an_agency_written_as_a_name_is_refused() -> None:
    data = {**renja_data(), "instansi": "Dinas Kesehatan"}
    message = problem(data)
    assert "kolom 'instansi'" in message
    assert "harus kunci dari huruf kecil, angka dan garis bawah" in message
