"""Page models over the bench's 20 selections: wall and process CPU time per rerun (median).

    PYTHONPATH=. python tools/model_cpu.py DATA_DIR [PAGE,PAGE]   (default overview,finance)

CPU time (DuckDB's threads included) moves far less with the machine's load than wall time,
so two checkouts run alternately on a shared machine compare by it (docs/performance.md,
issue 29). Prints one JSON object: {page: [wall ms, cpu ms]}."""
import sys, time, statistics, json
from impact.bench.worker import _selection, _sidebar_options
from impact.bench.pages import call_page, discover
from impact.storage.db import Database
from impact.storage.cache import CachedDatabase
from impact.web.sidebar import Options
db = Database(sys.argv[1])
orgs, years, projects, areas, default_filters, filter_changes = _selection(db)
shared = CachedDatabase(db); options = Options(shared)
pages = discover()
every = filter_changes(orgs, years, 20 * len(pages), projects=projects, areas=areas)
sel = {p: every[i::len(pages)] for i, p in enumerate(pages)}
out = {}
for page in (sys.argv[2].split(",") if len(sys.argv) > 2 else ("overview", "finance")):
    fn = pages[page][0]
    call_page(fn, shared, default_filters(years))
    wall, cpu = [], []
    for f in sel[page]:
        t0, c0 = time.perf_counter(), time.process_time()
        shared.refresh(); _sidebar_options(options, f); call_page(fn, shared, f)
        wall.append((time.perf_counter() - t0) * 1000); cpu.append((time.process_time() - c0) * 1000)
    out[page] = (round(statistics.median(wall), 1), round(statistics.median(cpu), 1))
print(json.dumps(out))
