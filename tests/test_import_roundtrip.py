"""Round trips: random valid rows → a file in each format and encoding → import → the same
records, whatever date style, thousands separators or currency signs the file uses."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import date, datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from impact.ingest import import_payload
from impact.ingest.keys import AUTO_PREFIX
from impact.storage.store import DataStore

# Common GB2312 characters, Latin letters, digits and CSV-hostile punctuation (, " and space).
TEXT_ALPHABET = "社区儿童之家长者关爱协作者珠海苏州清流中山联和项目服务abcXYZ0189-_（）, \"·"
FORMATS = ("utf-8", "utf-8-sig", "gbk", "gb18030", "xlsx")

names = st.text(TEXT_ALPHABET, min_size=1, max_size=12).map(lambda s: " ".join(s.split())) \
    .filter(bool)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2025, 12, 31))
counts = st.integers(min_value=0, max_value=5_000_000)


@st.composite
def activity(draw):
    volunteers = draw(st.integers(0, 5000))
    return {"date": draw(days), "org": draw(names), "project": draw(names),
            "program_area": draw(st.none() | names), "activity_type": draw(st.none() | names),
            "sessions": draw(st.integers(1, 10_000)), "beneficiaries": draw(counts),
            "volunteers": volunteers,
            "volunteer_minutes": draw(st.integers(0, volunteers * 1440))}


@st.composite
def transaction(draw):
    flow = draw(st.sampled_from(("income", "expense")))
    category = draw(st.sampled_from(
        ("捐赠收入", "政府购买服务", "基金会", "企业", "提供服务收入", "其他收入", "会费收入",
         "商品销售收入", "投资收益", "donation", "service_fee") if flow == "income"
        else ("业务活动成本", "管理费用", "筹资费用", "其他费用")))
    cents = draw(st.integers(1, 10**11))
    return {"date": draw(days), "org": draw(names), "flow": flow, "category": category,
            "funder": draw(st.none() | names), "project": draw(st.none() | names),
            "restricted": draw(st.sampled_from((None, True, False))),
            "amount": Decimal(cents).scaleb(-2)}


# What a 类别 cell becomes: (line, source_type). The names the old importer read map as
# `impact migrate` maps their category; the statutory names new to it give the line only.
CATEGORY_KEYS = {"捐赠收入": ("donation", "individual"),
                 "政府购买服务": ("government_grant", "government"),
                 "基金会": ("donation", "foundation"), "企业": ("donation", "enterprise"),
                 "提供服务收入": ("service", "other"), "其他收入": ("other", "other"),
                 "会费收入": ("membership", None), "商品销售收入": ("sales", None),
                 "投资收益": ("investment", None), "donation": ("donation", "individual"),
                 "service_fee": ("service", "other"),
                 "业务活动成本": ("program", None), "管理费用": ("admin", None),
                 "筹资费用": ("fundraising", None), "其他费用": ("other", None)}


def write_date(day: date, style: int):
    return (day.isoformat(), f"{day.year}/{day.month}/{day.day}",
            f"{day.year}年{day.month}月{day.day}日", datetime(day.year, day.month, day.day))[style]


def write_count(value: int, style: int) -> str:
    return f"{value:,}" if style % 2 else str(value)


def write_money(value: Decimal, style: int):
    return (f"¥{value:,}", f"￥{value}", f"{value:,}元", f"{value}", float(value))[style]


def cells(table: str, record: dict, style: int) -> list:
    if table == "activities":
        return [write_date(record["date"], style % 4), record["org"], record["project"],
                record["program_area"], record["activity_type"], record["sessions"],
                write_count(record["beneficiaries"], style), record["volunteers"],
                write_count(record["volunteer_minutes"], style + 1)]
    return [write_date(record["date"], style % 4), record["org"],
            "收入" if record["flow"] == "income" else "支出", record["category"], record["funder"],
            record["project"], {None: None, True: "是", False: "否"}[record["restricted"]],
            write_money(record["amount"], style % 5)]


HEADERS = {"activities": ["活动日期", "机构名称", "项目", "服务领域", "服务类型", "场次", "服务人次",
                          "义工人次", "志愿服务时长（分钟）"],
           "finance": ["日期", "机构", "收支", "类别", "捐赠方", "项目名称", "限定性", "金额（元）"]}


def make_file(table: str, rows: list[list], fmt: str) -> tuple[str, bytes]:
    if fmt == "xlsx":
        book = Workbook()
        book.active.append(HEADERS[table])
        for row in rows:
            book.active.append(row)
        out = io.BytesIO()
        book.save(out)
        return "records.xlsx", out.getvalue()
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HEADERS[table])
    for row in rows:  # CSV has no date cells: Excel writes them as 2020/3/5
        writer.writerow([write_date(c, 1) if isinstance(c, datetime) else
                         ("" if c is None else c) for c in row])
    encoding = "utf-8" if fmt == "utf-8-sig" else fmt
    if encoding == "gbk":  # GBK has no ¥ (U+00A5): Chinese Windows types the full-width ￥
        text = io.StringIO(text.getvalue().replace("¥", "￥"))
    prefix = b"\xef\xbb\xbf" if fmt == "utf-8-sig" else b""
    return "records.csv", prefix + text.getvalue().encode(encoding)


def expected(table: str, record: dict) -> dict:
    if table == "finance":
        line, source = CATEGORY_KEYS[record["category"]]
        out = {k: v for k, v in record.items() if k != "category"}
        # An empty 限定性 cell is the documented default: unrestricted.
        return {**out, "line": line, "source_type": source, "grant_id": None,
                "restricted": bool(record["restricted"]), "sub_account": None}
    return record


def stored(data_dir: str, table: str) -> list[dict]:
    key = "activity_id" if table == "activities" else "txn_id"
    rows = DataStore(data_dir).read_table(table).to_pylist()
    assert all(r.pop(key).startswith(AUTO_PREFIX) for r in rows)
    # the journal a row came from is where it was imported from, not what it says
    assert all(r.pop("source_file", "records.csv") for r in rows)
    return rows


def sort_key(record: dict) -> str:
    return repr(sorted(record.items(), key=lambda kv: kv[0]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=st.sampled_from(("activities", "finance")), fmt=st.sampled_from(FORMATS),
       data=st.data())
def test_valid_rows_round_trip_through_every_format(table, fmt, data):
    records = data.draw(st.lists(activity() if table == "activities" else transaction(),
                                 min_size=1, max_size=8))
    if data.draw(st.booleans()):
        records.append(dict(records[0]))  # an identical twin is a second record
    styles = data.draw(st.lists(st.integers(0, 19), min_size=len(records),
                                max_size=len(records)))
    rows = [cells(table, r, s) for r, s in zip(records, styles)]
    name, payload = make_file(table, rows, fmt)
    with tempfile.TemporaryDirectory() as tmp:
        store = DataStore(tmp)
        check, entry = import_payload(name, payload, table, store)
        assert check.ok, [(e.row, e.column, e.value, e.code) for e in check.errors]
        assert entry["rows_added"] == len(records)
        got = stored(tmp, table)
        assert sorted(got, key=sort_key) == sorted((expected(table, r) for r in records),
                                                   key=sort_key)
        again, entry = import_payload(name, payload, table, store)
        assert entry is None and again.duplicates == len(records)


def test_each_encoding_is_named_in_the_report(tmp_path):
    text = "日期,机构,项目,服务次数,受益人次,志愿者人次,志愿服务时长（分钟）\n" \
           "2021-03-05,阿依古丽·买买提工作室,社区儿童之家,1,20,2,120\n"
    found = {}
    for encoding, payload in (("utf-8", text.encode()), ("utf-8-sig", text.encode("utf-8-sig")),
                              ("gbk", text.encode("gbk")), ("utf-16", text.encode("utf-16")),
                              ("gb18030", text.replace("社区", "𠀀社区").encode("gb18030"))):
        check, _ = import_payload("in.csv", payload, "activities", DataStore(tmp_path / encoding))
        assert check.ok
        found[encoding] = check.sheet.encoding
    assert found == {e: e for e in found}
