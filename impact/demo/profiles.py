"""The four organisations of the demo: their projects, the figures their reports publish, and
the growth that fills the years they did not publish.

Published figures (../shared/reference/published_figures.csv) are entered here exactly; every
other number is synthetic and says so in docs/demo-data.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal as D


@dataclass(frozen=True)
class Project:
    """A project's typical year (at growth factor 1) and the years it ran."""

    name: str
    area: str
    services: int
    beneficiaries: int
    volunteers: int
    volunteer_minutes: int
    first: int
    last: int = 9999
    first_month: int = 1  # month it started in its first year
    types: tuple[str, ...] = ("社区活动",)


@dataclass(frozen=True)
class Finance:
    """Income shares by category and the funders behind each; expense shares."""

    income_shares: dict[str, float]
    funders: dict[str, tuple[str, ...]]
    expense_shares: dict[str, float] = field(
        default_factory=lambda: {"program": 0.84, "admin": 0.13, "fundraising": 0.03})
    # Funders the reports name for one project: their money goes to that project in the
    # years it runs, and to the organisation as a whole (no project) in other years, so a
    # funder view (funder:乐购) shows exactly the projects the reports credit it with.
    funder_projects: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    """One organisation of the demo dataset."""

    org: str
    code: str
    years: tuple[int, ...]
    growth: dict[int, float]  # activity volume relative to the projects' typical year
    projects: tuple[Project, ...]
    income_base: D  # income in a year of growth factor 1, in 元
    finance: Finance
    # Exact published figures: org totals and project figures per year.
    totals: dict[int, dict[str, int]] = field(default_factory=dict)
    fixed: dict[int, dict[str, dict[str, int]]] = field(default_factory=dict)
    income: dict[int, dict[str, D]] = field(default_factory=dict)  # exact by category
    income_total: dict[int, D] = field(default_factory=dict)  # exact total, split by shares
    expense_total: dict[int, D] = field(default_factory=dict)
    staff: dict[int, int] = field(default_factory=dict)


GROUP = ("小组活动", "社区活动", "讲座课堂", "个案辅导", "线上活动", "探访")

ZHUHAI = Profile(
    org="珠海协作者", code="ZHXZ", years=(2017, 2018, 2019, 2020, 2021),
    growth={2017: 0.82, 2018: 0.9, 2019: 1.0, 2020: 1.0, 2021: 1.06},
    projects=(
        Project("阅读推广", "儿童服务", 260, 9800, 260, 15600, 2017,
                types=("阅读活动", "讲座课堂", "线上活动")),
        Project("活力亲子园", "家庭支持", 120, 2500, 60, 7000, 2017, types=("亲子活动", "小组活动")),
        Project("社区服务活动", "社区发展", 140, 70000, 900, 43000, 2017,
                types=("社区活动", "讲座课堂", "线上活动", "节庆活动")),
        Project("千人助学计划", "儿童服务", 12, 320, 30, 1800, 2020, types=("助学金发放", "探访")),
        Project("职业之路", "能力建设", 10, 160, 10, 900, 2019, types=("培训",)),
        Project("P.A.C.E.女性发展", "能力建设", 16, 420, 24, 1900, 2017, types=("培训", "小组活动")),
        Project("农民工抗疫救援行动", "应急救援", 14, 6800, 120, 6100, 2020, 2020,
                types=("物资发放", "线上活动", "探访")),
    ),
    income_base=D("1400000"),
    finance=Finance(
        income_shares={"enterprise": 0.7, "foundation": 0.13, "donation": 0.09,
                       "other": 0.03, "government": 0.01},
        funders={"enterprise": ("乐购", "微软", "苏宁易购", "雀巢（中国）有限公司"),
                 "foundation": ("广东千禾社区公益基金会", "南都公益基金会"),
                 "donation": ("个人捐赠", "月捐", "99公益日"),
                 "government": ("珠海市民政局", "香洲区社会工作委员会"),
                 "other": ("利息收入", "培训收入")},
        # 2020 report: 乐购's 千人助学计划; 微软's 职业之路; milk powder from 苏宁易购 and
        # 雀巢 in the epidemic relief for migrant workers' families.
        funder_projects={"乐购": "千人助学计划", "微软": "职业之路",
                         "苏宁易购": "农民工抗疫救援行动", "雀巢（中国）有限公司": "农民工抗疫救援行动"},
    ),
    totals={2020: {"services": 581, "beneficiaries": 99037, "volunteers": 1394,
                   "volunteer_minutes": 70644}},
    fixed={2020: {"阅读推广": {"services": 279, "beneficiaries": 10529},
                  "活力亲子园": {"services": 127, "beneficiaries": 2655, "volunteers": 51,
                               "volunteer_minutes": 6265}}},
    income={2020: {"donation": D("129467.99"), "government": D("11500.00"),
                   "foundation": D("195459.04"), "enterprise": D("1292703.60"),
                   "other": D("45526.98")}},
    expense_total={2020: D("1053831.90")},
    staff={2017: 9, 2018: 10, 2019: 11, 2020: 12, 2021: 12},
)

BEIJING = Profile(
    org="北京协作者", code="BJXZ", years=(2003, 2004, 2005, 2006, 2007, 2008),
    growth={2003: 0.75, 2004: 0.85, 2005: 1.0, 2006: 1.05, 2007: 1.2, 2008: 1.35},
    projects=(
        Project("非典救援", "应急救援", 40, 31343, 180, 14400, 2003, 2003, first_month=4,
                types=("物资发放", "健康宣传")),
        Project("新市民之家", "社区发展", 90, 3600, 260, 21000, 2003, first_month=4, types=GROUP),
        Project("社区儿童之家", "儿童服务", 110, 3900, 240, 19000, 2003, first_month=4,
                types=("义务支教", "小组活动", "社区活动")),
        Project("社区教育探访快车", "社区发展", 40, 1800, 120, 9600, 2004, types=("探访", "讲座课堂")),
        Project("流动人口适应城市生活培训", "能力建设", 48, 1500, 60, 4800, 2005, 2005,
                types=("培训",)),
        Project("文艺志愿探访服务队", "志愿者培育", 24, 2400, 300, 36000, 2004,
                types=("文艺演出",)),
        Project("普法宣传与法律援助", "权益保护", 36, 1300, 80, 7200, 2003, first_month=6,
                types=("讲座课堂", "法律咨询", "个案辅导")),
    ),
    income_base=D("420000"),
    finance=Finance(
        income_shares={"foundation": 0.55, "donation": 0.25, "government": 0.1, "other": 0.1},
        funders={"foundation": ("世界银行", "国际行动援助中国项目办公室", "福特基金会"),
                 "donation": ("个人捐赠", "企业员工捐赠"),
                 "government": ("北京市政府防非办公室", "西城区团委"),
                 "other": ("图书版税", "利息收入")},
    ),
    # "三年来…为68000多人次…" (2003-2006): the four years sum to 69,856.
    totals={2003: {"beneficiaries": 36210}, 2004: {"beneficiaries": 9850},
            2005: {"beneficiaries": 11420}, 2006: {"beneficiaries": 12376}},
    fixed={2003: {"非典救援": {"beneficiaries": 31343}}},
    staff={2003: 1, 2004: 3, 2005: 5, 2006: 7, 2007: 9, 2008: 12},
)

SUZHOU = Profile(
    org="苏州清流", code="SZQL", years=(2012, 2013, 2014, 2015, 2016),
    growth={2012: 0.15, 2013: 0.35, 2014: 0.6, 2015: 1.0, 2016: 1.15},
    projects=(
        Project("社区儿童服务", "儿童服务", 140, 1500, 60, 5400, 2012, first_month=3, types=GROUP),
        Project("小站大爱", "儿童救助", 90, 700, 30, 2700, 2013, first_month=12,
                types=("个案辅导", "小组活动", "替代教育")),
        Project("小红帽", "儿童保护", 130, 1900, 70, 6300, 2014, first_month=12,
                types=("社区宣传", "教育课堂", "小组活动", "个案辅导")),
        Project("青青加油站", "青工支持", 70, 450, 20, 1800, 2015, 2015,
                types=("个案咨询", "小组活动", "街头宣传")),
        Project("困境未成年人社会保护", "儿童保护", 40, 120, 10, 900, 2015, first_month=8,
                types=("个案辅导",)),
        Project("百舟社会组织培育基地", "组织培育", 40, 360, 20, 1800, 2015, first_month=8,
                types=("专题培育", "交流互动", "个别督导", "个别探访")),
    ),
    income_base=D("560000"),
    finance=Finance(
        income_shares={"government": 0.82, "foundation": 0.1, "donation": 0.08},
        funders={"government": ("苏州市民政局", "江苏省民政厅", "相城区民政局",
                                "苏州市救助管理站", "北桥街道办事处"),
                 "foundation": ("南都公益基金会",), "donation": ("个人捐赠",)},
        # 2015 report: 小红帽 was funded by the city, province and district civil-affairs
        # bureaus in 2014 and 2015.
        funder_projects={"苏州市民政局": "小红帽", "江苏省民政厅": "小红帽", "相城区民政局": "小红帽"},
    ),
    totals={2015: {"services": 512, "beneficiaries": 5036}},
    fixed={2015: {"小红帽": {"services": 130}}},
    # 8万余, 15万余, 22万余 and 54.5万 (exact); 2015 is > 90 % government money.
    income_total={2012: D("81268.50"), 2013: D("152340.00"), 2014: D("223615.80")},
    income={2015: {"government": D("500000.00"), "foundation": D("25000.00"),
                   "donation": D("20000.00")}},
    staff={2012: 1, 2013: 3, 2014: 5, 2015: 6, 2016: 8},
)

ZHONGSHAN = Profile(
    org="中山联和", code="ZSLH", years=(2016, 2017, 2018),
    growth={2016: 0.7, 2017: 1.0, 2018: 1.12},
    projects=(
        Project("衣物银行", "环保公益", 160, 9000, 5600, 336000, 2016, first_month=5,
                types=("衣物回收", "分拣", "义卖")),
        Project("东区全民公益园", "组织培育", 120, 3600, 400, 24000, 2016,
                types=("孵化支持", "培训", "交流会")),
        Project("专业社工·全民义工", "志愿者培育", 150, 6200, 2200, 132000, 2016,
                types=("社区活动", "义工培训", "探访")),
        Project("长者关爱", "社区照护", 200, 2400, 600, 36000, 2016, types=("探访", "个案辅导")),
        Project("社区居民交流活动", "社区融合", 60, 5400, 500, 30000, 2016,
                types=("社区活动", "节庆活动")),
    ),
    income_base=D("1150000"),
    finance=Finance(
        income_shares={"government": 0.72, "donation": 0.1, "enterprise": 0.08,
                       "service_fee": 0.06, "other": 0.04},
        funders={"government": ("中山市民政局", "东区办事处"),
                 "donation": ("个人捐赠", "衣物银行义卖"),
                 "enterprise": ("本地企业",), "service_fee": ("场地服务收费",),
                 "other": ("利息收入",)},
    ),
    fixed={2017: {"衣物银行": {"volunteers": 5588}}},
    staff={2016: 14, 2017: 18, 2018: 21},
)

PROFILES = (BEIJING, ZHUHAI, SUZHOU, ZHONGSHAN)

# Organisation indicators as the reports print them: (org, project, year, key, value, unit).
INDICATORS = (
    ("珠海协作者", "活力亲子园", 2020, "families", D("215"), "个家庭"),
    ("珠海协作者", "千人助学计划", 2020, "students_funded", D("161"), "名"),
    ("珠海协作者", "千人助学计划", 2020, "grants_paid", D("297850"), "元"),
    ("珠海协作者", None, 2020, "beneficiaries_became_volunteers", D("49"), "名"),
    ("珠海协作者", None, 2020, "wechat_posts", D("223"), "篇"),
    ("珠海协作者", None, 2020, "weibo_posts", D("90"), "篇"),
    ("珠海协作者", None, 2020, "online_reads", D("195000"), "人次"),
    ("中山联和", None, 2017, "organisations_hosted", D("45"), "家"),
    ("中山联和", "衣物银行", 2017, "clothing_collected", D("63"), "吨"),
    ("中山联和", "衣物银行", 2017, "social_investment", D("260000"), "元"),
    ("中山联和", "衣物银行", 2017, "jobs_created", D("11"), "个"),
)

# Synthetic planning targets for recent years: (org, project, year, metric, target).
TARGETS = (
    ("珠海协作者", None, 2020, "services", D("600")),
    ("珠海协作者", None, 2020, "beneficiaries", D("90000")),
    ("珠海协作者", None, 2020, "volunteers", D("1500")),
    ("珠海协作者", None, 2020, "income_total", D("1600000")),
    ("珠海协作者", "阅读推广", 2020, "services", D("300")),
    ("珠海协作者", "千人助学计划", 2020, "students_funded", D("150")),
    ("珠海协作者", "千人助学计划", 2020, "expense_total", D("300000")),
    ("珠海协作者", None, 2021, "services", D("620")),
    ("珠海协作者", None, 2021, "beneficiaries", D("100000")),
    ("苏州清流", None, 2015, "services", D("480")),
    ("苏州清流", None, 2015, "income_total", D("500000")),
    ("苏州清流", "小红帽", 2015, "services", D("120")),
    ("中山联和", None, 2017, "organisations_hosted", D("40")),
    ("中山联和", "衣物银行", 2017, "volunteers", D("5000")),
    ("北京协作者", None, 2006, "beneficiaries", D("12000")),
)
