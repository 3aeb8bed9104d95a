"""The python tool's bubblewrap sandbox: limits, isolation, and the shipped tasks solved in
it. Needs bwrap (make install puts it there as root); `-m "not sandbox"` leaves it out."""

import asyncio
import os
import shutil

import pytest

from agentkit.evals.gaia import gaia_tools, load, prepare_scratch, score
from agentkit.tools.python_exec import python_tool, strip_fence
from agentkit.tools.sandbox import Limits, Sandbox, available

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.skipif(available() is not None, reason=available() or ""),
]
FAST = Limits(wall_s=4, cpu_s=2, memory_mb=512, processes=16, file_mb=1, scratch_mb=8)


def run(code, files=None, limits=FAST):
    return Sandbox(files, limits).run(code)


def test_runs_code_with_the_task_files_read_only(tmp_path):
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    r = run("import os\nprint(open('data.csv').read().split()[1])\n"
            "print(os.getcwd(), os.getuid() != 0)\nopen('out.txt', 'w').write('ok')\n"
            "print(open('out.txt').read())", tmp_path)  # fmt: skip
    assert r.ok and r.stdout.split() == ["1,2", "/scratch", "True", "ok"]
    r = run("open('data.csv', 'w').write('x')", tmp_path)
    assert not r.ok and "Read-only file system" in r.stderr
    assert (tmp_path / "data.csv").read_text() == "a,b\n1,2\n"
    assert not (tmp_path / "out.txt").exists()  # each run starts afresh, the host untouched


@pytest.mark.parametrize(
    ("code", "limit"),
    [
        ("import time\ntime.sleep(60)", "killed after 4 s wall time (limit)"),
        ("while True:\n    pass", "s of CPU time (limit)"),  # or the wall clock on a busy box
        ("x = bytearray(1 << 30)", "out of memory (limit 512 MiB per process)"),
        ("open('f', 'wb').write(b'0' * (2 << 20))", "a file passed the 1 MiB size limit"),
        ("for i in range(20):\n    open(f'f{i}', 'wb').write(b'0' * (900 << 10))",
         "no space left"),
        ("import os\nwhile True:\n    os.fork()", "process limit reached (16 processes"),
        ("import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=2)",
         "no network in the sandbox"),
    ],
)  # fmt: skip
def test_each_limit_is_named(code, limit):
    r = run(code)
    assert not r.ok
    assert limit in r.limit or ("CPU" in limit and "wall time" in r.limit), r


def test_the_host_is_out_of_reach(tmp_path, monkeypatch):
    monkeypatch.setenv("GAIA_TEST_SECRET", "s3cr3t")
    canary = tmp_path / "canary.txt"
    canary.write_text("s3cr3t")
    code = f"""
import os, glob
print(sorted(os.environ))
for p in ({str(canary)!r}, '/etc/shadow', '/root', {os.path.expanduser("~")!r}, '/work'):
    try:
        print(p, open(p).read() if os.path.isfile(p) else os.listdir(p))
    except OSError as e:
        print(p, type(e).__name__)
for p in glob.glob('/proc/*/environ'):
    try:
        print(p, open(p, 'rb').read())
    except OSError as e:
        print(p, type(e).__name__)
try:
    os.kill(os.getppid(), 9)
except OSError as e:
    print('kill', type(e).__name__)
"""
    r = run(code)
    assert "s3cr3t" not in r.stdout + r.stderr and "GAIA_TEST_SECRET" not in r.stdout
    assert "kill PermissionError" in r.stdout
    for p in (str(canary), "/etc/shadow", "/root", "/work"):
        assert f"{p} FileNotFoundError" in r.stdout
    assert canary.read_text() == "s3cr3t"


@pytest.mark.parametrize(
    "code", ["import os\nos.kill(-1, 9)", "import subprocess\nsubprocess.run(['kill', '-9', '-1'])"]
)
def test_killing_everything_kills_only_the_sandbox(code):
    r = run(code)
    assert r.exit_code != 0 or r.ok  # an error or nothing; the test process lives on
    assert os.getpid() and run("print(1)").stdout == "1\n"


def test_output_is_capped():
    r = run("print('x' * 100000)", limits=Limits(output_bytes=1000))
    assert r.output_cut and len(r.stdout) == 1000


def test_python_tool_observation():
    tool = python_tool(limits=FAST)
    obs = asyncio.run(tool("```python\nprint(6 * 7)\n```"))
    assert obs.ok and obs.text == "42"
    obs = asyncio.run(tool("1 / 0"))
    assert not obs.ok and obs.text.startswith("Error: python exited with code 1")
    assert "ZeroDivisionError" in obs.text
    obs = asyncio.run(tool("import time\ntime.sleep(60)"))
    assert obs.text == "Error: python: killed after 4 s wall time (limit)"
    assert strip_fence("```\nx = 1\n```") == "x = 1" and strip_fence("x = 1") == "x = 1"


SOLUTIONS = {  # written from the questions alone, as an agent would: the answers check out
    "regional_sales.csv": "import csv\nfrom decimal import Decimal\nrows = list(csv.DictReader("
    "open('regional_sales.csv')))\nprint(sum(Decimal(r['units']) * Decimal(r['unit_price']) for r"
    " in rows if r['region'] == 'East' and r['date'].startswith('2024-04')))",
    "maze.txt": "from collections import deque\ng = open('maze.txt').read().split()\n"
    "s = next((y, x) for y, r in enumerate(g) for x, c in enumerate(r) if c == 'S')\n"
    "d = {s: 0}\nq = deque([s])\nwhile q:\n    y, x = q.popleft()\n"
    "    if g[y][x] == 'E':\n        print(d[(y, x)])\n        break\n"
    "    for n in ((y+1, x), (y-1, x), (y, x+1), (y, x-1)):\n"
    "        if 0 <= n[0] < len(g) and 0 <= n[1] < len(g[0]) and g[n[0]][n[1]] != '#' "
    "and n not in d:\n            d[n] = d[(y, x)] + 1\n            q.append(n)",
    "staff.xlsx": "import pandas as pd\ne = pd.read_excel('staff.xlsx', 'Employees')\n"
    "d = pd.read_excel('staff.xlsx', 'Departments')\ne = e[e.Hired.dt.year >= 2019]\n"
    "code = e.groupby('Dept').Salary.mean().idxmax()\n"
    "print(d.set_index('Code').Department[code])",
    "": "import datetime\nprint(datetime.date(2036, 2, 29).strftime('%A'))",
}


def test_shipped_tasks_solve_in_the_sandbox(tmp_path):
    pytest.importorskip("pandas")
    tasks = {t.file_name: t for t in load() if t.file_name in SOLUTIONS}
    tasks[""] = next(t for t in load() if "29 February 2036" in t.question)
    for name, code in SOLUTIONS.items():
        task = tasks[name]
        tools = {t.name: t for t in gaia_tools(task, prepare_scratch(task, tmp_path), web=False)}
        assert set(tools) == {"python", "read_file", "calculator"}
        obs = asyncio.run(tools["python"](code))
        assert obs.ok, obs.text
        assert score(obs.text.strip(), task.final_answer), (name, obs.text, task.final_answer)
    shutil.rmtree(tmp_path)
