"""Roles, modes, the staff password, funder links and small-cell suppression, as pure code."""

from __future__ import annotations

import pytest

from impact.access import funderlink, passwords, policy as access, privacy
from impact.access.policy import Access, Scope, Settings, resolve
from impact.views.common import COUNT, PERCENT, Chart, Column, Table

SECRET = "s" * 40


# ---------------------------------------------------------------------------- modes and roles

@pytest.mark.parametrize("address, loopback", [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.1.1", True),
    ("", False), (None, False), ("0.0.0.0", False), ("192.168.1.5", False), ("::", False),
    ("example.org", False)])
def test_loopback_addresses(address, loopback):
    assert access.is_loopback(address) is loopback


def test_local_run_is_a_single_staff_user_and_a_network_run_is_not():
    local = resolve(Settings(), {}, network_bound=False)
    assert (local.role, local.can_import, local.suppress) == ("local", True, False)
    network = resolve(Settings(), {}, network_bound=True)
    assert network.role == "network" and not network.can_import and not network.can_correct
    assert network.reason == "access.reason.network" and network.sees_data_page


@pytest.mark.parametrize("address, headers, local", [
    ("127.0.0.1", {}, True),
    ("127.0.0.1", {"Host": "localhost:8501", "User-Agent": "x"}, True),
    ("127.0.0.1", {"X-Forwarded-For": "203.0.113.7"}, False),
    ("localhost", {"x-real-ip": "203.0.113.7"}, False),
    ("::1", {"Forwarded": "for=203.0.113.7;proto=https"}, False),
    ("0.0.0.0", {}, False)])
def test_local_rights_need_loopback_and_no_proxy(address, headers, local):
    """Behind a reverse proxy on the same machine every request comes from loopback: only
    the absence of forwarding headers says the person is on this machine."""
    network = access.network_visitor(address, headers)
    seen = resolve(Settings(), {}, network_bound=network,
                   proxied=access.forwarded(headers))
    assert (seen.role == "local") is local and seen.can_import is local
    if access.forwarded(headers):
        assert seen.reason == "access.reason.proxied"


def test_public_mode_wins_over_everything():
    cfg = Settings(mode="public", auth=True, roles={"a@x.org": "staff"})
    seen = resolve(cfg, {"is_logged_in": True, "email": "a@x.org"}, network_bound=False,
                   password_ok=True)
    assert seen.role == "public" and seen.suppress and seen.read_only
    assert not (seen.sees_data_page or seen.sees_records or seen.sees_funders
                or seen.sees_report or seen.can_make_links)


@pytest.mark.parametrize("role, imports, data_page, links, records, suppress", [
    ("staff", True, True, True, True, False),
    ("director", False, True, True, True, False),
    ("viewer", False, False, False, True, False),
    ("funder:乐购", False, False, False, False, True)])
def test_role_map(role, imports, data_page, links, records, suppress):
    cfg = Settings(auth=True, roles=access.roles_from({"A@X.org": role}))
    seen = resolve(cfg, {"is_logged_in": True, "email": "a@x.org"}, network_bound=True)
    assert (seen.can_import, seen.can_correct, seen.sees_data_page, seen.can_make_links,
            seen.sees_records, seen.suppress) == (imports, imports, data_page, links, records,
                                                  suppress)
    assert seen.identity == "a@x.org"


def test_sign_in_required_and_unknown_accounts_get_nothing():
    cfg = Settings(auth=True, roles={"a@x.org": "staff"})
    anonymous = resolve(cfg, {"is_logged_in": False}, network_bound=True)
    assert anonymous.role == "anonymous" and not anonymous.sees_dashboard
    stranger = resolve(cfg, {"is_logged_in": True, "email": "b@y.org"}, network_bound=True)
    assert stranger.role == "unknown" and not stranger.sees_dashboard
    cfg = Settings(auth=True, default_role="viewer")
    assert resolve(cfg, {"is_logged_in": True, "email": "b@y.org"},
                   network_bound=True).role == "viewer"


@pytest.mark.parametrize("text", ["admin", "funder:", "funder:  ", "staff:x", "", "root"])
def test_bad_roles_are_refused_when_read(text):
    with pytest.raises(access.AccessError):
        access.roles_from({"a@x.org": text})


def test_bad_mode_is_one_line():
    with pytest.raises(access.AccessError, match="IMPACT_MODE='open'"):
        access.parse_mode("open")


def test_password_fallback_unlocks_staff_only_when_typed():
    cfg = Settings(password_hash=passwords.hash_password("long enough pw", iterations=1000))
    assert resolve(cfg, {}, network_bound=True).needs_password
    assert resolve(cfg, {}, network_bound=True, password_ok=True).role == "staff"


# ---------------------------------------------------------------------------- staff password

def test_password_is_stored_salted_and_verified():
    one = passwords.hash_password("社工2024-secret", iterations=1000)
    two = passwords.hash_password("社工2024-secret", iterations=1000)
    assert one != two and "社工2024" not in one and one.startswith("pbkdf2_sha256$1000$")
    assert passwords.verify_password("社工2024-secret", one)
    assert not passwords.verify_password("社工2024-secreT", one)


@pytest.mark.parametrize("stored", ["社工2024", "plain-password", "pbkdf2_sha256$x$y",
                                    "md5$1$a$b", ""])
def test_a_plain_password_in_secrets_is_refused(stored):
    with pytest.raises(passwords.PasswordFormatError):
        passwords.verify_password("社工2024", stored)


def test_rate_limit_locks_a_session_and_an_address_and_grows():
    now = [1000.0]
    limiter = passwords.RateLimiter(max_failures=5, lockout_s=30, clock=lambda: now[0])
    for _ in range(4):
        limiter.failure("session:a", "addr:1.2.3.4")
        assert limiter.wait_s("session:a", "addr:1.2.3.4") == 0
    limiter.failure("session:a", "addr:1.2.3.4")
    assert limiter.wait_s("session:a", "addr:1.2.3.4") == 30
    # A new session from the same address is locked as well.
    assert limiter.wait_s("session:b", "addr:1.2.3.4") == 30
    assert limiter.wait_s("session:c", "addr:5.6.7.8") == 0
    now[0] += 31
    assert limiter.wait_s("session:a", "addr:1.2.3.4") == 0
    limiter.failure("session:a", "addr:1.2.3.4")
    assert limiter.wait_s("session:a", "addr:1.2.3.4") == 60  # doubles


# ---------------------------------------------------------------------------- funder links

def _link(**changes):
    values = dict(funder="乐购", org="珠海协作者", projects=("千人助学计划",), year_from=2020,
                  year_to=2020, expires=2_000_000_000)
    values.update(changes)
    return funderlink.FunderLink(**values)


def test_link_round_trip():
    token = funderlink.make_token(_link(), SECRET)
    assert funderlink.read_token(token, SECRET, now=1_900_000_000) == _link()


@pytest.mark.parametrize("change", [dict(org="苏州清流"), dict(projects=("阅读推广",)),
                                    dict(year_from=2017), dict(year_to=2021),
                                    dict(funder="微软"), dict(expires=2_100_000_000)])
def test_changing_any_parameter_invalidates_the_link(change):
    token = funderlink.make_token(_link(), SECRET)
    forged_payload = funderlink.make_token(_link(**change), SECRET).split(".")[0]
    tampered = forged_payload + "." + token.split(".")[1]
    with pytest.raises(funderlink.LinkError) as refused:
        funderlink.read_token(tampered, SECRET, now=1_900_000_000)
    assert refused.value.key == "link.invalid"


def test_expired_link_and_foreign_secret_are_refused():
    token = funderlink.make_token(_link(expires=1_000), SECRET)
    with pytest.raises(funderlink.LinkError, match="link.expired"):
        funderlink.read_token(token, SECRET, now=1_000)
    with pytest.raises(funderlink.LinkError, match="link.invalid"):
        funderlink.read_token(funderlink.make_token(_link(), "t" * 40), SECRET, now=0)


@pytest.mark.parametrize("token", ["", ".", "a.b", "x" * 5000, "a.b.c", "é.é", "\x00.\x00",
                                   "' OR 1=1 --.x", "../../etc/passwd", "\u202e.\u202e"])
def test_garbage_tokens_are_invalid_not_errors(token):
    with pytest.raises(funderlink.LinkError):
        funderlink.read_token(token, SECRET)


def test_short_or_missing_secret_cannot_sign():
    for secret in (None, "", "short"):
        with pytest.raises(funderlink.LinkError, match="link.no_secret"):
            funderlink.make_token(_link(), secret)


# ---------------------------------------------------------------------------- suppression

def test_small_cells_hidden_with_a_complementary_cell():
    # One small cell: the next smallest goes too, else total − shown = the hidden one.
    assert privacy.suppressed([120, 3, 40, 0], 5) == {1, 2}
    assert privacy.suppressed([120, 3, 4, 40], 5) == {1, 2}  # two small: enough
    assert privacy.suppressed([120, 40], 5) == set()
    assert privacy.suppressed([0, 0, 7], 5) == set()  # zero is nobody
    assert privacy.suppressed([2], 5) == {0}


def _projects_table() -> Table:
    rows = [{"project": "大", "beneficiaries": 500, "share": 90, "volunteers": 40},
            {"project": "小", "beneficiaries": 3, "share": 1, "volunteers": 12},
            {"project": "中", "beneficiaries": 52, "share": 9, "volunteers": 2}]
    columns = [Column("project", "项目"), Column("beneficiaries", "受益人次", COUNT),
               Column("share", "占比", PERCENT), Column("volunteers", "志愿者人次", COUNT)]
    return Table("projects", "项目", columns, rows)


def test_table_suppression_covers_screen_and_csv_and_keeps_the_model():
    model = _projects_table()
    shown = privacy.table(model, privacy.Policy(True, 5))
    assert model.rows[1]["beneficiaries"] == 3  # the page model is not changed
    cells = shown.display_rows()
    assert [c["受益人次"] for c in cells] == [500, "<5", "<5"]
    assert [c["占比"] for c in cells][1:] == ["—", "—"]
    assert [c["志愿者人次"] for c in cells] == [40, "<5", "<5"]
    csv = shown.csv().decode("utf-8-sig").splitlines()
    assert csv[2] == "小,<5,,<5" and "3" not in csv[2]
    assert privacy.table(model, privacy.OFF) is model


def test_chart_points_below_threshold_are_not_drawn():
    from impact.presentation import charts
    fig = charts.bars(["1月", "2月", "3月"], {"受益人次": [3, 80, 40]}, title="t", lang="zh")
    chart = privacy.chart(Chart("by_month", "t", "", fig, []), privacy.Policy(True, 5))
    assert list(chart.figure.data[0].y) == [None, 80, None]
    assert list(chart.figure.data[0].customdata)[0] == "&lt;5"  # plotly shows "<5"
    assert list(fig.data[0].y) == [3, 80, 40]
    # Services are not people: left alone.
    fig = charts.bars(["a", "b"], {"服务次数": [3, 80]}, title="t", lang="zh")
    assert list(privacy.chart(Chart("k", "t", "", fig, []),
                              privacy.Policy(True, 5)).figure.data[0].y) == [3, 80]


def test_threshold_is_configurable(monkeypatch):
    monkeypatch.setenv(privacy.THRESHOLD_ENV, "10")
    assert privacy.threshold_setting() == 10
    monkeypatch.setenv(privacy.THRESHOLD_ENV, "nonsense")
    assert privacy.threshold_setting() == 5


def test_scope_clamps_a_selection(monkeypatch):
    from impact.filters import Filters
    from impact.web.auth import clamp

    scope = Scope(orgs=("珠海协作者",), projects=("千人助学计划",), year_from=2020, year_to=2020)
    wide = Filters(orgs=("苏州清流",), year_from=2017, year_to=2021, projects=("阅读推广",))
    assert clamp(wide, scope) == Filters(orgs=("珠海协作者",), year_from=2020, year_to=2020,
                                         projects=("千人助学计划",))
    assert clamp(wide, None) is wide
    assert isinstance(Access("funder", "x", scope=scope).scope, Scope)


def test_hash_password_command_reads_stdin_and_prints_only_the_hash():
    import subprocess
    import sys

    from tests.conftest import ROOT

    done = subprocess.run([sys.executable, "-m", "impact", "hash-password"], cwd=ROOT,
                          input="社工2024-long-enough\n", capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    stored = done.stdout.strip()
    assert "社工2024" not in stored and passwords.verify_password("社工2024-long-enough", stored)
    short = subprocess.run([sys.executable, "-m", "impact", "hash-password"], cwd=ROOT,
                           input="short\n", capture_output=True, text=True, timeout=120)
    assert short.returncode == 2 and "at least 10 characters" in short.stderr


def test_audit_log_never_goes_into_the_bundled_demo(monkeypatch, tmp_path):
    from impact.access import audit
    from impact.config import DEFAULT_DATA_DIR

    monkeypatch.delenv(audit.AUDIT_ENV, raising=False)
    assert audit.location(str(DEFAULT_DATA_DIR)) is None
    assert audit.location(str(tmp_path)) == tmp_path / "audit.jsonl"
    assert audit.record("sign_in_failed", "x@y.org", str(tmp_path), reason="test") is None
    assert audit.read(str(tmp_path))[0]["identity"] == "x@y.org"
    monkeypatch.setenv(audit.AUDIT_ENV, str(tmp_path / "elsewhere.jsonl"))
    assert audit.location(str(DEFAULT_DATA_DIR)) == tmp_path / "elsewhere.jsonl"


def test_hidden_volunteer_counts_hide_the_minutes_per_volunteer_too():
    from decimal import Decimal

    rows = [{"project": "甲", "volunteers": 2, "volunteer_hours": Decimal("3.00"),
             "minutes_per_volunteer": Decimal("90.0")},
            {"project": "乙", "volunteers": 40, "volunteer_hours": Decimal("80.00"),
             "minutes_per_volunteer": Decimal("120.0")},
            {"project": "丙", "volunteers": 300, "volunteer_hours": Decimal("500.00"),
             "minutes_per_volunteer": Decimal("100.0")}]
    columns = [Column("project", "项目"), Column("volunteers", "志愿者人次", COUNT),
               Column("volunteer_hours", "时长", "decimal"),
               Column("minutes_per_volunteer", "每人次分钟", "decimal")]
    shown = privacy.table(Table("v", "v", columns, rows), privacy.Policy(True, 5, public=True))
    # On a public page a shown count is rounded to 5 (docs/privacy.md); a rate of the exact
    # count would give it back beside the hours, so minutes per volunteer are left out.
    assert [r["minutes_per_volunteer"] for r in shown.rows] == [None, None, None]
    assert [str(r["volunteers"]) for r in shown.rows] == ["<5", "<5", "300"]
    # A funder's view shows exact counts from 5 up: only the hidden rows lose their rate.
    funder = privacy.table(Table("v", "v", columns, rows), privacy.Policy(True, 5))
    assert [r["minutes_per_volunteer"] for r in funder.rows] == [None, None, Decimal("100.0")]


def test_a_suppressed_cell_formats_as_its_text_in_every_kind():
    """The one formatting path (cards, tables, CSVs) shows "<5" whatever the metric's kind."""
    from impact.presentation import fmt
    hidden = privacy.Suppressed(5)
    for kind in (fmt.COUNT, fmt.MONEY, fmt.PERCENT, fmt.DECIMAL):
        assert fmt.value(hidden, kind, "zh") == "<5"
        assert fmt.plain(hidden, kind) == "<5"


@pytest.mark.parametrize("settings, address, says", [
    (Settings(), "127.0.0.1", "local single user"),
    (Settings(), "0.0.0.0", "network, read-only"),
    (Settings(mode="public", link_secret="s" * 40), "0.0.0.0", "public"),
    (Settings(auth=True, roles={"a@x.org": "staff"}), "0.0.0.0", "sign-in"),
    (Settings(password_hash="pbkdf2_sha256$1$a$b"), "127.0.0.1", "staff password")])
def test_start_up_log_names_the_access_mode_and_why(settings, address, says):
    line = access.describe(settings, address)
    assert line.startswith("access mode: ") and says in line
    assert ("funder links on" in line) is bool(settings.link_secret)


def test_the_templates_placeholders_are_no_sign_in_and_no_key():
    from impact.access import funderlink

    with pytest.raises(access.AccessError, match="REPLACE"):
        access.check_auth({"client_id": "REPLACE.apps.googleusercontent.com"})
    access.check_auth({"client_id": "1234-abc.apps.googleusercontent.com"})
    access.check_auth(None)
    with pytest.raises(funderlink.LinkError):
        funderlink.check_secret("REPLACE with: python -c 'import secrets; print(…)'")
