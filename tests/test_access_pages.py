"""Who sees what, through Streamlit's AppTest: sign-in roles (st.user), funder links, public
mode, a network-bound server without sign-in, the staff password and its rate limit."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from impact.access import audit, funderlink, passwords
from impact.access.funderlink import FunderLink
from tests.test_import_cli import snapshot
from tests.page_tables import page_tables

ROOT = Path(__file__).resolve().parent.parent
SECRET = "k" * 48
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "c" * 32,
        "client_id": "impact", "client_secret": "x",
        "server_metadata_url": "https://accounts.google.com/.well-known/openid-configuration"}
ROLES = {"funder@lego.example": "funder:乐购", "director@ngo.example": "director",
         "staff@ngo.example": "staff", "viewer@ngo.example": "viewer"}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path, demo_copy):
    """Every test: a scratch copy of the demo data, an audit log in tmp, a fresh limiter."""
    monkeypatch.setenv("IMPACT_DATA_DIR", str(demo_copy))
    monkeypatch.setenv("IMPACT_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    for name in ("IMPACT_MODE", "IMPACT_STAFF_PASSWORD_HASH", "IMPACT_LINK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(passwords, "LIMITER", passwords.RateLimiter())


def page(name: str, *, user: dict | None = None, secrets: dict | None = None,
         params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    if secrets:
        at.secrets.update(secrets)
    if user is not None:
        at.user = user
    at.query_params.update(params or {})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def signed_in(email: str) -> dict:
    return {"user": {"is_logged_in": True, "email": email, "name": email},
            "secrets": {"auth": AUTH, "roles": ROLES, "link_secret": SECRET}}


def texts(at: AppTest, kind: str) -> list[str]:
    return [str(e.value) for e in at.get(kind)]


def project_rows(at: AppTest) -> list[str]:
    table = [d for d in page_tables(at) if "项目" in d.columns][0]
    return sorted(set(table["项目"]))


def test_funder_sees_only_the_projects_it_funds():
    at = page("beneficiaries", **signed_in("funder@lego.example"))
    assert project_rows(at) == ["千人助学计划"]
    projects = at.sidebar.multiselect(key="flt_projects")
    assert projects.options == ["千人助学计划"]
    assert at.sidebar.multiselect(key="flt_orgs").options == ["珠海协作者"]
    # No drill-down to raw records in a funder view.
    assert not [s for s in at.selectbox if s.key == "drill_project"]


def test_funder_sees_its_own_money_only():
    at = page("finance", **signed_in("funder@lego.example"))
    funders = [d for d in page_tables(at) if "资助方" in d.columns]
    assert funders and set(funders[0]["资助方"]) == {"乐购"}


def test_funder_cannot_widen_the_view_through_the_url():
    at = page("beneficiaries", params={"org": "苏州清流", "project": "小红帽"},
              **signed_in("funder@lego.example"))
    assert project_rows(at) == ["千人助学计划"]


def test_director_cannot_reach_the_import():
    at = page("data", **signed_in("director@ngo.example"))
    assert not at.get("file_uploader")
    assert any("不能导入或更正数据" in i for i in texts(at, "info"))
    assert at.tabs  # data quality and integrity stay open to directors


def test_staff_can_import_and_the_import_is_audited(tmp_path, demo_copy):
    from tests.test_import_cli import FIXTURES

    at = page("data", **signed_in("staff@ngo.example"))
    assert any("staff@ngo\\.example（工作人员）" in c for c in texts(at, "caption"))
    name = "activities_gbk.csv"
    at.get("file_uploader")[0].set_value((name, (FIXTURES / name).read_bytes(),
                                          "text/csv")).run()
    [go] = [b for b in at.button if b.key == "data_go"]
    go.click().run()
    assert not at.exception, [e.value for e in at.exception]
    [entry] = [e for e in audit.read() if e["event"] == "import"]
    assert (entry["identity"], entry["file"], entry["rows_added"]) == (
        "staff@ngo.example", name, 5)


def test_anonymous_visitor_with_sign_in_sees_only_the_sign_in_page():
    at = page("data", user={"is_logged_in": False}, secrets={"auth": AUTH, "roles": ROLES})
    assert [b.label for b in at.button] == ["登录"]
    assert not at.get("file_uploader") and not page_tables(at)


def test_signed_in_account_without_a_role_is_refused_and_logged(tmp_path):
    at = page("overview", user={"is_logged_in": True, "email": "someone@else.example"},
              secrets={"auth": AUTH, "roles": ROLES})
    assert not page_tables(at) and not at.get("plotly_chart")
    assert any("没有在本看板分配角色" in m for m in texts(at, "markdown"))
    assert [e["identity"] for e in audit.read()] == ["someone@else.example"]


@pytest.fixture
def network_bound():
    """The server listens on every interface (as `--server.address 0.0.0.0` would)."""
    before = st_config.get_option("server.address")
    st_config.set_option("server.address", "0.0.0.0")
    yield
    st_config.set_option("server.address", before)


def test_anonymous_visitor_of_a_network_bound_server_cannot_import(network_bound):
    at = page("data")
    assert not at.get("file_uploader")
    assert any("没有开启登录" in w for w in texts(at, "warning"))
    assert at.tabs  # read-only tabs; the import tab says why it is closed
    assert any("没有开启登录" in i for i in texts(at, "info"))


def test_loopback_server_behind_a_proxy_gives_remote_visitors_no_staff_rights(monkeypatch):
    """The nginx recipe of docs/deployment.md on a loopback server without [auth]: a visitor
    the proxy forwards is read-only, not the local staff user (no upload, no corrections)."""
    from impact.web import auth

    monkeypatch.setattr(auth, "request_headers",
                        lambda: {"Host": "impact.example.org", "X-Forwarded-For": "203.0.113.7"})
    at = page("data")
    access = at.session_state["_impact_ctx"].access
    assert access.role == "network" and not access.can_import and not access.can_correct
    assert not at.get("file_uploader")
    assert any("反向代理" in w for w in texts(at, "warning") + texts(at, "info"))


def example_secrets(**uncomment) -> dict:
    """.streamlit/secrets.toml.example as an administrator fills it in: only the keys given
    uncommented and set, everything else as shipped."""
    import tomllib

    lines = (ROOT / ".streamlit" / "secrets.toml.example").read_text("utf-8").splitlines()
    for key, value in uncomment.items():
        [i] = [n for n, line in enumerate(lines) if line.startswith(f"# {key} = ")]
        lines[i] = f'{key} = "{value}"'
    return tomllib.loads("\n".join(lines))


def test_secrets_template_with_only_the_link_secret_leaves_the_local_dashboard_open():
    secrets = example_secrets(link_secret=SECRET)
    assert secrets == {"link_secret": SECRET}  # every other block stays commented out
    at = page("data", secrets=secrets)
    assert at.session_state["_impact_ctx"].access.role == "local"
    assert at.get("file_uploader") and not [b for b in at.button if b.key == "sign_in"]
    # ... and the key it was given signs links the server accepts.
    link = page("grants", secrets=secrets, params={"share": token()})
    assert link.session_state["_impact_ctx"].access.identity == "link:乐购"


def test_template_auth_block_left_unfilled_is_refused_in_one_line():
    text = (ROOT / ".streamlit" / "secrets.toml.example").read_text("utf-8")
    import tomllib
    block = "\n".join(line[2:] for line in text.splitlines()
                      if line.startswith(("# [auth]", "# redirect_uri", "# cookie_secret",
                                          "# client_id", "# client_secret",
                                          "# server_metadata_url")))
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=120)
    at.secrets.update(tomllib.loads(block))
    at.run()
    assert not at.get("file_uploader") and not [b for b in at.button if b.key == "sign_in"]
    # The refusal reaches Streamlit escaped as Markdown (widgets.say): read it as drawn.
    errors = [e.value.replace("\\", "") for e in at.error]
    assert any("REPLACE" in e and "[auth]" in e for e in errors), errors


def test_local_run_says_it_is_a_single_user():
    at = page("data")
    assert at.get("file_uploader")
    assert any("本机单用户模式" in c for c in texts(at, "caption"))


# ---------------------------------------------------------------------------- password

def test_staff_password_is_rate_limited_and_failures_are_audited(monkeypatch, network_bound):
    monkeypatch.setenv("IMPACT_STAFF_PASSWORD_HASH",
                       passwords.hash_password("社工2024-long", iterations=1000))
    now = [0.0]
    monkeypatch.setattr(passwords, "LIMITER", passwords.RateLimiter(clock=lambda: now[0]))
    at = page("data")
    assert not at.get("file_uploader")
    for attempt in range(5):
        at.text_input(key="data_pw").input(f"guess {attempt}").run()
    assert texts(at, "error")[-1] == "密码错误次数过多，请 30 秒后再试。"
    # Locked: no password field (nothing is checked) until the wait is over.
    at.run()
    assert not [w for w in at.text_input if w.key == "data_pw"]
    assert texts(at, "error") == ["密码错误次数过多，请 30 秒后再试。"]
    now[0] += 31
    at.run()
    at.text_input(key="data_pw").input("社工2024-long").run()
    assert at.get("file_uploader")
    failures = [e for e in audit.read() if e["event"] == "sign_in_failed"]
    assert len(failures) == 5 and all("password" in e["identity"] for e in failures)


# ---------------------------------------------------------------------------- funder link

def token(**changes) -> str:
    values = dict(funder="乐购", org="珠海协作者", projects=("千人助学计划",), year_from=2020,
                  year_to=2020, expires=int(time.time()) + 3600)
    values.update(changes)
    return funderlink.make_token(FunderLink(**values), SECRET)


def test_funder_link_shows_that_funder_only():
    at = page("beneficiaries", secrets={"link_secret": SECRET},
              params={"share": token()})
    assert project_rows(at) == ["千人助学计划"]
    assert at.session_state["_impact_ctx"].access.identity == "link:乐购"


def received(at: AppTest) -> str:
    """The funder view's "received" figure, exactly as the page shows it."""
    [value] = [m.value for m in at.metric if m.label.startswith(("收到资助", "Received"))] or [None]
    return value


def test_funder_link_opens_on_its_whole_period():
    """A link for 2020–2021 shows the money of both years (¥688,574.43 from 乐购), not the
    latest year's alone (¥271,925.55), and the view's URL names the link's period."""
    at = page("grants", secrets={"link_secret": SECRET},
              params={"share": token(year_from=2020, year_to=2021)})
    ctx = at.session_state["_impact_ctx"]
    assert (ctx.filters.year_from, ctx.filters.year_to) == (2020, 2021)
    assert "688,574.43" in received(at)
    assert (ctx.url_params["from"], ctx.url_params["to"]) == (["2020"], ["2021"])


def everything_shown(at: AppTest) -> str:
    """Every text, figure and table cell of a run, as one string to search."""
    parts = [str(e.value) for kind in ("markdown", "caption", "info", "warning", "error",
                                       "success", "title", "header", "subheader")
             for e in at.get(kind)]
    parts += [f"{m.label} {m.value} {m.proto.help}" for m in at.metric]
    parts += [d.to_csv() for d in page_tables(at)]
    return "\n".join(parts)


def other_funders() -> set[str]:
    from impact.storage.db import Database

    return {r["funder"] for r in Database().rows("funder_names", orgs=[])} - {"乐购"}


def test_funder_link_works_on_the_public_server(monkeypatch):
    """The public-mode server (the one an NGO exposes) opens a funder link on the funder's
    view: its grants and money for the linked period, nothing of other funders."""
    monkeypatch.setenv("IMPACT_MODE", "public")
    at = page("grants", secrets={"link_secret": SECRET},
              params={"share": token(year_from=2020, year_to=2021)})
    access = at.session_state["_impact_ctx"].access
    assert (access.role, access.funder) == ("funder", "乐购")
    assert "688,574.43" in received(at)
    shown = everything_shown(at)
    assert not [f for f in other_funders() if f in shown]


@pytest.mark.parametrize("bad", [
    lambda: token(expires=int(time.time()) - 1),
    lambda: token(org="苏州清流").split(".")[0] + "." + token().split(".")[1]])
def test_public_server_refuses_a_bad_link_in_one_line_without_figures(monkeypatch, bad):
    monkeypatch.setenv("IMPACT_MODE", "public")
    at = page("grants", secrets={"link_secret": SECRET}, params={"share": bad()})
    assert len(at.error) == 1 and "链接" in at.error[0].value
    assert not at.metric and not page_tables(at) and not at.get("plotly_chart")


def test_link_expiry_is_checked_on_every_run(monkeypatch):
    """A tab opened on a valid link stops showing the funder view once the link expires:
    the next run (a click on a sidebar page) shows the refusal, not the figures."""
    import types

    monkeypatch.setenv("IMPACT_MODE", "public")
    now = [time.time()]
    monkeypatch.setattr(funderlink, "time", types.SimpleNamespace(time=lambda: now[0]))
    at = page("grants", secrets={"link_secret": SECRET},
              params={"share": token(expires=int(now[0]) + 60)})
    assert at.metric
    now[0] += 61
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["这个分享链接已过期。请向机构索取新的链接。"]
    assert not at.metric and not page_tables(at)


@pytest.mark.parametrize("how", ["link", "sign-in"])
def test_funders_finance_names_no_co_funder_nor_its_share(how):
    kwargs = ({"secrets": {"link_secret": SECRET},
               "params": {"share": token(year_from=2020, year_to=2021)}} if how == "link"
              else signed_in("funder@lego.example"))
    at = page("finance", **kwargs)
    shown = everything_shown(at)
    assert not [f for f in other_funders() if f in shown]
    assert not [m for m in at.metric if m.label.startswith("最大单一资助方")]
    funders = [d for d in page_tables(at) if "资助方" in d.columns]
    assert funders and set(funders[0]["资助方"]) == {"乐购"}


@pytest.mark.parametrize("bad, reason", [
    (lambda: token(expires=int(time.time()) - 1), "已过期"),
    (lambda: token(org="苏州清流").split(".")[0] + "." + token().split(".")[1], "无效"),
    (lambda: token()[:-2] + "AA", "无效"),
    (lambda: "garbage", "无效")])
def test_tampered_or_expired_link_is_refused(bad, reason, tmp_path):
    at = page("data", user={"is_logged_in": False},
              secrets={"link_secret": SECRET, "auth": AUTH, "roles": ROLES},
              params={"share": bad()})
    assert not at.get("file_uploader") and not page_tables(at)
    assert [b.label for b in at.button] == ["登录"]  # no funder view: sign in
    assert any(e["event"] == "link_refused" for e in audit.read())


def test_director_makes_a_link_that_opens_the_funder_view():
    at = page("share", **signed_in("director@ngo.example"))
    at.selectbox(key="share_funder").set_value("乐购").run()
    at.button(key="share_make").click().run()
    url = at.code[0].value
    assert "/grants?share=" in url  # the funder view, 资助成效
    made = url.split("share=")[1].split("&")[0]
    from urllib.parse import unquote
    link = funderlink.read_token(unquote(made), SECRET)
    assert (link.funder, link.org, link.projects) == ("乐购", "珠海协作者", ("千人助学计划",))


def test_viewer_and_funder_cannot_make_links():
    for email in ("viewer@ngo.example", "funder@lego.example"):
        at = page("share", **signed_in(email))
        assert not [b for b in at.button if b.key == "share_make"]


# ---------------------------------------------------------------------------- public mode

def test_public_mode_has_no_data_page_and_cannot_write(monkeypatch, demo_copy):
    monkeypatch.setenv("IMPACT_MODE", "public")
    at = page("data")
    assert not at.get("file_uploader") and not at.tabs
    assert any("公开版" in e for e in texts(at, "error"))
    from impact.web.context import get_db

    before = snapshot(demo_copy)
    store = get_db(str(demo_copy.resolve()), True).store
    rows = store.read_table("targets").slice(0, 1)
    from impact.access.readonly import ReadOnlyError
    from impact.storage import compaction
    with pytest.raises(ReadOnlyError):
        compaction.append(store, "targets", rows)
    with pytest.raises(ReadOnlyError):
        store.commit({"targets": pa.Table.from_pylist([], schema=rows.schema)}, fresh=True)
    assert snapshot(demo_copy) == before


def test_public_mode_suppresses_small_cells_with_totals_unchanged(monkeypatch):
    params = {"org": "苏州清流", "from": "2015", "to": "2015", "project": "困境未成年人社会保护"}
    private = page("beneficiaries", params=params)
    monkeypatch.setenv("IMPACT_MODE", "public")
    public = page("beneficiaries", params=params)
    [fig] = [c for c in public.get("plotly_chart") if "每月" in c.proto.spec or True][:1] or [None]
    assert fig is not None
    by_month = [c for c in public.get("plotly_chart")]
    import json

    specs = [json.loads(c.proto.spec) for c in by_month]
    lines = [t for s in specs for t in s["data"] if t.get("type") == "scatter"
             and t.get("mode") == "lines+markers"]
    values = [v for t in lines for v in t["y"]]
    assert None in values and not any(isinstance(v, int) and 0 < v < 5 for v in values)
    private_specs = [json.loads(c.proto.spec) for c in private.get("plotly_chart")]
    private_values = [v for s in private_specs for t in s["data"]
                      if t.get("mode") == "lines+markers" for v in t["y"]]
    assert 4 in private_values
    # Totals still count every record: the by-year bar is the same in both views.
    year_bars = lambda ss: [t["y"] for s in ss for t in s["data"] if t.get("type") == "bar"
                            and t.get("x") == ["2015"]]
    assert year_bars(specs) == year_bars(private_specs)
    # The project table hides no count here (one project) but the drill-down is gone.
    assert not [s for s in public.selectbox if s.key == "drill_project"]
    assert [s for s in private.selectbox if s.key == "drill_project"]


def test_public_mode_finance_has_no_funders():
    import os
    os.environ["IMPACT_MODE"] = "public"
    try:
        at = page("finance")
    finally:
        del os.environ["IMPACT_MODE"]
    assert not [d for d in page_tables(at) if "资助方" in d.columns]
    assert [d for d in page_tables(at) if "科目" in d.columns]
    # A single-donor warning gives the share but never the donor's name.
    from impact.storage.db import Database
    funders = {r["funder"] for r in Database().rows("finance_by_funder", orgs=[], projects=[],
                                                     areas=[], year_from=None, year_to=None)
               if r["funder"]}
    assert not [w.value for w in at.warning if any(f in w.value for f in funders)]


def test_public_mode_refuses_a_cli_import(cli, demo_copy, tmp_path):
    import os
    from tests.test_import_cli import FIXTURES

    source = FIXTURES / "activities_gbk.csv"
    before = snapshot(demo_copy)
    env = {**os.environ, "IMPACT_MODE": "public", "IMPACT_DATA_DIR": str(demo_copy)}
    result = cli("import", str(source), "--table", "activities", env=env)
    assert result.returncode == 1 and "read-only" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(demo_copy) == before
