"""The real administrative units, loaded once into the database from installed PyPI packages.

Sources (read from the installed files, offline; the packages are never imported at run time):

- ``vietnamadminunits`` (MIT, Tran Ngoc Minh Hieu), ``data/dataset.db``:
  - table ``admin_units_legacy``: the 63 provinces, 696 districts and 10,035 communes as they
    stood on 2025-06-30 (codes of Decision 124/2004/QĐ-TTg); five island districts have no
    communes (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo).
  - table ``admin_units``: the 34 provinces and 3,321 communes from 2025-07-01. Their codes
    agree with the Statistics Office's list (Công văn 1027/CTK-CSCL, 25/06/2025) behind
    Decision 19/2025/QĐ-TTg.
  - ``data/converter_2025.json``: the old → new crosswalk, keyed by normalised names.
- ``vietnam-provinces`` (``data/nested-divisions.json``) holds the same 34 provinces and 3,321
  communes (same names), but 123 of them carry another code than the published list (114 codes
  the list does not have, and 9 swapped: e.g. Phường Cửa Nam 00073 where the list has 00082,
  and 00331 for Phường Yên Sở where the list has it for Phường Hoàng Mai), and it has no
  crosswalk; it is used only as a cross-check (``current_units_from_vietnam_provinces``).

Validity: the legacy package data carries no dates. Legacy versions run from ``LEGACY_FROM``
(a placeholder, not a legal date) to 2025-06-30; current ones from 2025-07-01, open-ended.
Units that disappeared before 2025-07 (the 2019–2021 and 2023–2025 mergers) are not in the
package, so they are not loaded; known earlier states are added from ``EARLIER_PARENTS``.

Everything here takes a model class (or the historical ``apps`` registry), so the same code runs
inside the data migration and against the real models.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Max

LEGACY_FROM = dt.date(2000, 1, 1)  # placeholder: the package has no creation dates
LEGACY_TO = dt.date(2025, 6, 30)
CURRENT_FROM = dt.date(2025, 7, 1)

PROVINCE, DISTRICT, COMMUNE = "province", "district", "commune"

# Communes whose parent district changed before 2025-07, while keeping their code. The package
# only knows the last parent; the earlier one gets its own version, closed the day before the
# change, with a successor link to the later one (history is never rewritten).
#   code: (earlier parent district code, first day under the later parent, legal basis)
EARLIER_PARENTS: dict[str, tuple[str, dt.date, str]] = {
    # Seed 000: Minh Quang and Phúc Sơn moved from Chiêm Hóa (073) to Lâm Bình (071), Tuyên Quang,
    # by Nghị quyết 1262/NQ-UBTVQH14 signed 2021-04-27. Its effective date could not be checked
    # offline: 2021-06-01 is assumed [unconfirmed].
    "02302": ("073", dt.date(2021, 6, 1), "Nghị quyết 1262/NQ-UBTVQH14 (27/4/2021)"),
    "02299": ("073", dt.date(2021, 6, 1), "Nghị quyết 1262/NQ-UBTVQH14 (27/4/2021)"),
}


def package_dir(name: str) -> Path:
    """Directory of an installed package, found without importing it (importing
    ``vietnamadminunits`` alone costs ~0.4 s of parser setup)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the package {name!r} is not installed (see requirements.txt)")
    return Path(next(iter(spec.submodule_search_locations)))


def _dataset() -> sqlite3.Connection:
    path = package_dir("vietnamadminunits") / "data" / "dataset.db"
    if not path.exists():
        raise RuntimeError(f"missing data file {path}")
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


@dataclass
class Row:
    code: str
    name: str
    level: str
    parent_code: str | None  # within the same era
    valid_from: dt.date
    valid_to: dt.date | None


@dataclass
class UnitData:
    """Everything to load, as plain rows and code-level links (no database)."""

    legacy: list[Row] = field(default_factory=list)
    current: list[Row] = field(default_factory=list)
    # (legacy code, legacy valid_from) → set of current codes
    successors: dict[tuple[str, dt.date], set[str]] = field(default_factory=dict)
    # earlier legacy version → later legacy version (same code), both as (code, valid_from)
    internal: list[tuple[tuple[str, dt.date], tuple[str, dt.date]]] = field(default_factory=list)


def read_unit_data() -> UnitData:
    """Read the packages' files into rows: 63 + 696 + 10,035 legacy, 34 + 3,321 current."""
    data = UnitData()
    with _dataset() as conn:
        legacy = conn.execute(
            "SELECT provinceCode, province, provinceKey, districtCode, district, districtKey, wardCode, ward, wardKey "
            "FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"
        ).fetchall()
        current = conn.execute(
            "SELECT provinceCode, province, provinceKey, wardCode, ward, wardKey FROM admin_units "
            "ORDER BY provinceCode, wardCode"
        ).fetchall()
    crosswalk = json.loads((package_dir("vietnamadminunits") / "data" / "converter_2025.json").read_text("utf-8"))

    provinces: dict[str, str] = {}
    districts: dict[str, tuple[str, str]] = {}
    legacy_key: dict[str, tuple[str, str]] = {}  # crosswalk key → (level, code)
    legacy_province_key: dict[str, str] = {}
    communes: list[tuple[str, str, str]] = []
    for p_code, p_name, p_key, d_code, d_name, d_key, w_code, w_name, w_key in legacy:
        provinces[p_code] = p_name
        legacy_province_key[p_key] = p_code
        districts[d_code] = (d_name, p_code)
        if w_code:
            communes.append((w_code, w_name, d_code))
            legacy_key[f"{p_key}_{d_key}_{w_key}"] = (COMMUNE, w_code)
        else:  # island district without communes: the crosswalk maps the district itself
            legacy_key[f"{p_key}_{d_key}_"] = (DISTRICT, d_code)

    for code, name in provinces.items():
        data.legacy.append(Row(code, name, PROVINCE, None, LEGACY_FROM, LEGACY_TO))
    for code, (name, parent) in districts.items():
        data.legacy.append(Row(code, name, DISTRICT, parent, LEGACY_FROM, LEGACY_TO))
    for code, name, parent in communes:
        earlier = EARLIER_PARENTS.get(code)
        if earlier:
            old_parent, changed_on, _basis = earlier
            data.legacy.append(Row(code, name, COMMUNE, old_parent, LEGACY_FROM, changed_on - dt.timedelta(days=1)))
            data.legacy.append(Row(code, name, COMMUNE, parent, changed_on, LEGACY_TO))
            data.internal.append(((code, LEGACY_FROM), (code, changed_on)))
        else:
            data.legacy.append(Row(code, name, COMMUNE, parent, LEGACY_FROM, LEGACY_TO))

    current_province_key: dict[str, str] = {}
    current_ward: dict[tuple[str, str], str] = {}
    current_parent: dict[str, str] = {}
    for p_code, p_name, p_key, w_code, w_name, w_key in current:
        if p_key not in current_province_key:
            current_province_key[p_key] = p_code
            data.current.append(Row(p_code, p_name, PROVINCE, None, CURRENT_FROM, None))
        current_ward[(p_key, w_key)] = w_code
        current_parent[w_code] = p_code
        data.current.append(Row(w_code, w_name, COMMUNE, p_code, CURRENT_FROM, None))

    # The crosswalk, on codes. A legacy commune's successors: the new commune(s) it went into.
    by_code: dict[tuple[str, str], set[str]] = defaultdict(set)  # (level, legacy code) → new codes
    for new_p_key, old_keys in crosswalk["DICT_PROVINCE"].items():
        for old_key in old_keys:
            by_code[(PROVINCE, legacy_province_key[old_key])].add(current_province_key[new_p_key])
    for new_p_key, wards in crosswalk["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_w_key, old_keys in wards.items():
            new_code = current_ward[(new_p_key, new_w_key)]
            for old_key in old_keys:
                by_code[legacy_key[old_key]].add(new_code)
    for new_p_key, olds in crosswalk["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in olds.items():
            for part in parts:
                by_code[legacy_key[old_key]].add(current_ward[(new_p_key, part["newWardKey"])])
    # A legacy district's successors: the new communes its communes went to, and their provinces.
    for code, _name, district in communes:
        gone_to = by_code[(COMMUNE, code)]
        by_code[(DISTRICT, district)] |= gone_to
    for (level, _code), new_codes in list(by_code.items()):
        if level == DISTRICT:
            new_codes |= {current_parent[c] for c in new_codes}

    for row in data.legacy:
        if row.valid_to == LEGACY_TO:  # the last legacy version is the one that became the new units
            data.successors[(row.code, row.valid_from)] = by_code.get((row.level, row.code), set())
    return data


def load_units(apps: Any, schema_editor: Any = None) -> None:
    """RunPython forward: load legacy and current units and their successor links."""
    unit_model = apps.get_model("units", "AdministrativeUnit")
    alias = schema_editor.connection.alias if schema_editor is not None else DEFAULT_DB_ALIAS
    load_into(unit_model, read_unit_data(), using=alias)


def unload_units(apps: Any, schema_editor: Any = None) -> None:
    """RunPython backward: remove every unit (fails, as it should, if dossiers point at them)."""
    unit_model = apps.get_model("units", "AdministrativeUnit")
    unit_model.successors.through.objects.all().delete()
    for level in (COMMUNE, DISTRICT, PROVINCE):
        unit_model.objects.filter(level=level).delete()


def load_into(unit_model: Any, data: UnitData, using: str = DEFAULT_DB_ALIAS) -> None:
    """Insert ``data`` with explicit ids (parents before children), then the successor links.

    COPY / ``executemany`` rather than ``bulk_create``: ~14,000 rows and ~15,000 links in a
    fraction of a second, where the ORM needs ~2.5 s; this runs at every test-database creation.
    """
    connection = connections[using]
    ops = connection.ops
    meta = unit_model._meta
    through = unit_model.successors.through
    next_id = (unit_model.objects.using(using).aggregate(top=Max("pk"))["top"] or 0) + 1

    ids: dict[tuple[str, dt.date], int] = {}
    values: list[tuple[Any, ...]] = []
    for era in (data.legacy, data.current):
        era_ids: dict[str, int] = {}  # code → id, for the parents of the next level
        for level in (PROVINCE, DISTRICT, COMMUNE):
            for r in era:
                if r.level != level:
                    continue
                ids[(r.code, r.valid_from)] = era_ids[r.code] = next_id
                values.append((
                    next_id, r.code, r.name, r.level, era_ids[r.parent_code] if r.parent_code else None,
                    ops.adapt_datefield_value(r.valid_from), ops.adapt_datefield_value(r.valid_to), "",
                ))
                next_id += 1
    current_ids = {r.code: ids[(r.code, r.valid_from)] for r in data.current}
    links = [(ids[old], current_ids[new]) for old, news in data.successors.items() for new in sorted(news)]
    links += [(ids[old], ids[new]) for old, new in data.internal]

    columns = ["id", "code", "name", "level", "parent_id", "valid_from", "valid_to", "sessions"]
    link_columns = [through._meta.get_field(f"{d}_administrativeunit").column for d in ("from", "to")]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        _insert_many(cursor, connection, meta.db_table, columns, values)
        _insert_many(cursor, connection, through._meta.db_table, link_columns, links)
        for sql in ops.sequence_reset_sql(no_style(), [unit_model]):
            cursor.execute(sql)


def _insert_many(cursor: Any, connection: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """COPY on PostgreSQL, ``executemany`` elsewhere (SQLite runs it in C)."""
    qn = connection.ops.quote_name
    column_list = ", ".join(qn(c) for c in columns)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {qn(table)} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    cursor.executemany(f"INSERT INTO {qn(table)} ({column_list}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


def move_unit(unit: Any, new_parent: Any, on_date: dt.date) -> Any:
    """Move ``unit`` under ``new_parent`` from ``on_date`` without rewriting history.

    The version valid the day before ``on_date`` is closed then; a new version (same code, name
    and working sessions) is opened on ``on_date`` under ``new_parent`` and linked as its
    successor; successor links to versions starting on or after ``on_date`` (e.g. the 2025 units)
    pass to the new version. Children valid on ``on_date`` move with it (each gets a new version
    under the new one). Dossiers and agencies keep pointing at the versions they had. Returns the
    new version.
    Works on real models and on a migration's historical models alike.
    """
    unit_model = type(unit)
    if unit.valid_from >= on_date or (unit.valid_to is not None and unit.valid_to < on_date):
        raise ValueError(f"{unit} is not valid both before and on {on_date}")
    if new_parent.valid_from > on_date or (new_parent.valid_to is not None and new_parent.valid_to < on_date):
        raise ValueError(f"{new_parent} is not valid on {on_date}")
    order = (PROVINCE, DISTRICT, COMMUNE)
    if order.index(new_parent.level) >= order.index(unit.level):
        raise ValueError(f"a {unit.level} cannot be placed under a {new_parent.level}")
    with transaction.atomic():
        return _move(unit_model, unit, new_parent, on_date)


def _move(unit_model: Any, unit: Any, new_parent: Any, on_date: dt.date) -> Any:
    until = unit.valid_to
    unit.valid_to = on_date - dt.timedelta(days=1)
    unit.save(update_fields=["valid_to"])
    new = unit_model.objects.create(
        code=unit.code, name=unit.name, level=unit.level, parent=new_parent,
        valid_from=on_date, valid_to=until, sessions=unit.sessions,
    )
    later = list(unit.successors.filter(valid_from__gte=on_date))  # e.g. the 2025 units it became
    unit.successors.remove(*later)
    new.successors.add(*later)
    unit.successors.add(new)
    children = unit_model.objects.filter(parent=unit, valid_from__lt=on_date).exclude(valid_to__lt=on_date)
    for child in children:
        _move(unit_model, child, new, on_date)
    return new


def current_units_from_vietnam_provinces() -> dict[str, tuple[str, str]]:
    """The ``vietnam-provinces`` list, for cross-checks: commune code → (province code, name)."""
    path = package_dir("vietnam_provinces") / "data" / "nested-divisions.json"
    provinces = json.loads(path.read_text("utf-8"))
    return {f"{w['code']:05d}": (f"{p['code']:02d}", w["name"]) for p in provinces for w in p["wards"]}
