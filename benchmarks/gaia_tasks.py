"""Write agentkit's GAIA-style task set: tasks written for this project (no GAIA data), in
GAIA's official layout, each answer computed by code from the data it generates.

    python benchmarks/gaia_tasks.py [--out agentkit/evals/data/gaia_tasks]

Seeded, so a rerun writes the same tasks and answers (the xlsx/docx/pdf containers may
differ in timestamps). Needs openpyxl, python-docx and fpdf2 (the generated files are
committed; fpdf2 is not needed at run time).
"""

from __future__ import annotations

import argparse
import calendar
import csv
import heapq
import io
import json
import random
import statistics
import string
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "agentkit" / "evals" / "data" / "gaia_tasks"
NAMESPACE = uuid.UUID("5b0c1f3e-9d7a-4c55-8f7e-2a61d0a9c4b1")
FIXED = datetime(2025, 1, 1)  # document metadata dates, so reruns match


@dataclass
class Task:
    slug: str
    level: int
    question: str
    answer: str
    steps: list[str]
    tools: list[str]
    file_name: str = ""
    write: Callable[[Path], None] | None = field(default=None, repr=False)

    def record(self) -> dict[str, object]:
        return {
            "task_id": str(uuid.uuid5(NAMESPACE, self.slug)),
            "Question": self.question,
            "Level": self.level,
            "Final answer": self.answer,
            "file_name": self.file_name,
            "Annotator Metadata": {
                "Steps": "\n".join(f"{i}. {s}" for i, s in enumerate(self.steps, 1)),
                "Number of steps": str(len(self.steps)),
                "How long did this take?": "generated",
                "Tools": "\n".join(f"{i}. {t}" for i, t in enumerate(self.tools, 1)) or "None",
                "Number of tools": str(len(self.tools)),
            },
        }


def write_csv(rows: list[list[object]]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        path.write_text(buf.getvalue(), encoding="utf-8")

    return write


def write_text(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, encoding="utf-8")


def write_xlsx(sheets: dict[str, list[list[object]]]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        import openpyxl

        book = openpyxl.Workbook()
        book.remove(book.active)
        for title, rows in sheets.items():
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
        book.properties.created = book.properties.modified = FIXED
        book.save(path)

    return write


def write_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> Callable:
    def write(path: Path) -> None:
        import docx

        doc = docx.Document()
        for p in paragraphs:
            doc.add_paragraph(p)
        if table:
            t = doc.add_table(rows=0, cols=len(table[0]))
            for row in table:
                cells = t.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = value
        doc.core_properties.created = doc.core_properties.modified = FIXED
        doc.save(str(path))

    return write


def write_pdf(pages: list[list[str]]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        from fpdf import FPDF

        pdf = FPDF()
        pdf.set_creation_date(FIXED)
        pdf.set_font("Helvetica", size=11)
        for lines in pages:
            pdf.add_page()
            for line in lines:
                pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
        pdf.output(str(path))

    return write


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


# --- level 1 ----------------------------------------------------------------------------


def regional_sales(r: random.Random) -> Task:
    rows: list[list[object]] = [["date", "region", "product", "units", "unit_price"]]
    prices = {p: Decimal(r.randrange(450, 4000)) / 100 for p in "ABCD"}
    for _ in range(160):
        day = date(2024, 1, 1) + timedelta(days=r.randrange(182))
        product = r.choice("ABCD")
        region = r.choice(["North", "South", "East", "West"])
        rows.append([day.isoformat(), region, product, r.randrange(1, 40), prices[product]])
    total = sum(
        Decimal(u) * p for d, g, _, u, p in rows[1:] if g == "East" and str(d).startswith("2024-04")
    )
    return Task(
        "regional-sales", 1,
        "The attached CSV lists sales transactions. What was the total revenue (units times "
        "unit price) of the East region in April 2024? Give the amount with two decimals and "
        "no currency sign.",
        money(Decimal(total)),
        ["Open the CSV.", "Keep East rows dated 2024-04.", "Sum units x unit_price."],
        ["File reader or Python"], "regional_sales.csv", write_csv(rows),
    )  # fmt: skip


def station_temps(r: random.Random) -> Task:
    temps = [round(r.uniform(22.0, 36.0), 1) for _ in range(31)]
    rows: list[list[object]] = [["date", "max_temp_c", "min_temp_c"]]
    rows += [[date(2023, 7, i + 1).isoformat(), t, round(t - r.uniform(7, 12), 1)]
             for i, t in enumerate(temps)]  # fmt: skip
    return Task(
        "station-temps", 1,
        "The attached file holds a weather station's daily readings for July 2023. On how "
        "many days was the maximum temperature strictly above 30.0 °C?",
        str(sum(t > 30.0 for t in temps)),
        ["Read the CSV.", "Count rows with max_temp_c > 30.0."],
        ["File reader"], "station_july_2023.csv", write_csv(rows),
    )  # fmt: skip


def inventory(r: random.Random) -> Task:
    cats = ["Hardware", "Garden", "Paint", "Electrical"]
    rows: list[list[object]] = [["SKU", "Item", "Category", "On hand", "Reorder level"]]
    nouns = ["bolt", "hinge", "rake", "brush", "cable", "socket", "hose", "drill bit", "primer",
             "clamp", "trowel", "fuse", "latch", "roller", "washer", "bracket"]  # fmt: skip
    for i in range(60):
        rows.append([f"SK-{1000 + i}", f"{r.choice(['small', 'large', 'heavy', 'mini'])} "
                     f"{r.choice(nouns)}", r.choice(cats), r.randrange(0, 120),
                     r.randrange(10, 60)])  # fmt: skip
    below = sum(1 for row in rows[1:] if row[2] == "Hardware" and row[3] < row[4])  # type: ignore[operator]
    return Task(
        "inventory-reorder", 1,
        "In the attached spreadsheet, how many items of the Hardware category have fewer "
        "units on hand than their reorder level?",
        str(below),
        ["Open the sheet.", "Filter Category = Hardware.", "Count On hand < Reorder level."],
        ["Spreadsheet reader"], "inventory.xlsx", write_xlsx({"Stock": rows}),
    )  # fmt: skip


def catalogue(r: random.Random) -> Task:
    authors = ["Ada Whitlow", "Bruno Castellan", "Chiara Oduya", "Dmitri Havel",
               "Elena Marsh", "Farid Quenneville"]  # fmt: skip
    books = []
    for i in range(40):
        books.append({"id": i + 1, "title": f"Volume {string.ascii_uppercase[i % 26]}{i}",
                      "author": r.choice(authors), "year": r.randrange(1905, 2015),
                      "pages": r.randrange(90, 700)})  # fmt: skip
    pages: dict[str, int] = {}
    for b in books:
        if b["year"] < 1960:
            pages[b["author"]] = pages.get(b["author"], 0) + b["pages"]  # type: ignore[operator]
    best = max(pages, key=lambda a: pages[a])
    return Task(
        "catalogue-pages", 1,
        "Which author in the attached library catalogue has the largest total number of "
        "pages across their books published before 1960? Answer with the surname only.",
        best.split()[-1],
        ["Load the JSON.", "Sum pages per author for year < 1960.", "Take the largest."],
        ["File reader or Python"], "catalogue.json",
        write_text(json.dumps({"library": "Eastgate Branch", "books": books}, indent=2)),
    )  # fmt: skip


def caesar(r: random.Random) -> Task:
    last = r.choice(["tomorrow", "thursday", "midnight", "sunrise"])
    plain = f"meet the courier at the north gate after the lamps are lit {last}"
    shift = 11
    table = str.maketrans(
        string.ascii_lowercase, string.ascii_lowercase[shift:] + string.ascii_lowercase[:shift]
    )
    return Task(
        "caesar-note", 1,
        "The attached note was encrypted with a Caesar cipher that moves every letter 11 "
        "places forward in the alphabet. What is the last word of the decrypted note?",
        last,
        ["Shift each letter 11 places back.", "Read the last word."],
        ["File reader", "Python"], "note.txt", write_text(plain.translate(table).upper() + "\n"),
    )  # fmt: skip


def days_between(_: random.Random) -> Task:
    d1, d2 = date(2019, 3, 17), date(2025, 10, 4)
    return Task(
        "days-between", 1,
        "How many days are there from 17 March 2019 to 4 October 2025, counting the end date "
        "but not the start date?",
        str((d2 - d1).days),
        ["Subtract the dates."], ["Calculator or Python"],
    )  # fmt: skip


def weekday(_: random.Random) -> Task:
    return Task(
        "leap-weekday", 1,
        "On which day of the week will 29 February 2036 fall?",
        calendar.day_name[date(2036, 2, 29).weekday()],
        ["Compute the weekday of 2036-02-29."], ["Python"],
    )  # fmt: skip


def minutes(r: random.Random) -> Task:
    people = ["Ines", "Tomasz", "Keiko", "Rafael", "Ngozi"]
    actions = ["update the budget sheet", "book the venue", "draft the newsletter",
               "call the supplier", "review the contract", "fix the projector",
               "order badges", "collect survey results", "renew the domain",
               "prepare the agenda", "archive old files", "test the backup"]  # fmt: skip
    table = [["Owner", "Action", "Due"]]
    for a in r.sample(actions, len(actions)):
        table.append(
            [r.choice(people), a, f"2024-{r.randrange(5, 8):02d}-{r.randrange(1, 29):02d}"]
        )
    paragraphs = ["Minutes of the committee meeting, 2 May 2024",
                  "Present: " + ", ".join(people) + ". Apologies: none.",
                  "Ines opened the meeting and thanked Tomasz for last month's report.",
                  "The action items agreed are listed in the table below."]  # fmt: skip
    return Task(
        "minutes-actions", 1,
        "According to the attached meeting minutes, how many action items are owned by Ines?",
        str(sum(row[0] == "Ines" for row in table[1:])),
        ["Read the table of action items.", "Count rows whose owner is Ines."],
        ["Document reader"], "minutes.docx", write_docx(paragraphs, table),
    )  # fmt: skip


def quarterly_pdf(r: random.Random) -> Task:
    products = ["Heron", "Kestrel", "Osprey", "Plover", "Wren"]
    figures = {p: [r.randrange(200, 900) for _ in range(4)] for p in products}
    lines = ["Quarterly unit sales, 2023", ""]
    lines += [f"Product {p}: Q1 {a}, Q2 {b}, Q3 {c}, Q4 {d}" for p, (a, b, c, d) in figures.items()]
    lines += ["", "Figures are units shipped, not units ordered."]
    return Task(
        "report-kestrel-q3", 1,
        "According to the attached report, how many units of product Kestrel were sold in Q3?",
        str(figures["Kestrel"][2]),
        ["Read the PDF.", "Find the Kestrel line, Q3."], ["PDF reader"],
        "quarterly_report.pdf", write_pdf([lines]),
    )  # fmt: skip


def prime_sum(_: random.Random) -> Task:
    primes = [n for n in range(1000, 1101) if all(n % d for d in range(2, int(n**0.5) + 1))]
    return Task(
        "prime-sum", 1, "What is the sum of all prime numbers between 1000 and 1100?",
        str(sum(primes)), ["List the primes in range.", "Add them."], ["Python"],
    )  # fmt: skip


def server_log(r: random.Random) -> Task:
    start = datetime(2024, 5, 2, 7, 0, 0)
    levels = ["INFO"] * 6 + ["WARN"] * 2 + ["ERROR"] * 2
    lines, count = [], 0
    t = start
    while t < datetime(2024, 5, 2, 14, 0):
        t += timedelta(seconds=r.randrange(30, 600))
        lvl = r.choice(levels)
        what = r.choice(["job done", "retrying upload", "disk check", "timeout"])
        lines.append(f"{t:%Y-%m-%d %H:%M:%S} {lvl:<5} worker-{r.randrange(1, 5)} {what}")
        count += lvl == "ERROR" and 9 <= t.hour <= 11
    return Task(
        "log-errors", 1,
        "How many ERROR entries does the attached log contain between 09:00:00 and 11:59:59 "
        "(inclusive) on 2 May 2024?",
        str(count), ["Filter lines by time.", "Count ERROR entries."], ["File reader or Python"],
        "server.log", write_text("\n".join(lines) + "\n"),
    )  # fmt: skip


def grades(r: random.Random) -> Task:
    rows: list[list[object]] = [["student", "class", "score"]]
    for i in range(45):
        rows.append([f"S{i + 1:03d}", r.choice("ABC"), r.randrange(35, 100)])
    median = statistics.median(int(s) for _, c, s in rows[1:] if c == "B")  # type: ignore[call-overload]
    return Task(
        "median-class-b", 1,
        "What is the median score of the students in class B in the attached file? Give the "
        "number with one decimal place.",
        f"{median:.1f}", ["Filter class B.", "Take the median."], ["Python"],
        "grades.csv", write_csv(rows),
    )  # fmt: skip


def acrostic(r: random.Random) -> Task:
    word = r.choice(["LANTERN", "HARBOUR", "ORCHARD", "MEADOWS"])
    starts = {"L": "Light", "A": "Across", "N": "Night", "T": "Through", "E": "Every",
              "R": "Rivers", "H": "Hills", "B": "Beyond", "O": "Over", "U": "Under",
              "C": "Calm", "D": "Deep", "M": "Mist", "W": "Winds", "S": "Still"}  # fmt: skip
    tails = ["the water keeps its slow time", "a lamp hangs over the quay",
             "the gulls fold into the dark", "we count the boats that stay"]  # fmt: skip
    poem = "\n".join(f"{starts[c]} {tails[i % 4]}" for i, c in enumerate(word))
    return Task(
        "acrostic", 1,
        "The first letters of the lines of the attached poem spell a word. What is the word?",
        word.lower(), ["Take each line's first letter."], ["File reader"],
        "poem.txt", write_text(poem + "\n"),
    )  # fmt: skip


# --- level 2 ----------------------------------------------------------------------------


def orders(r: random.Random) -> Task:
    data, chosen = [], []
    for i in range(30):
        items = [{"sku": f"P{r.randrange(10, 99)}", "qty": r.randrange(1, 6),
                  "price": round(r.uniform(5, 180), 2)}
                 for _ in range(r.randrange(1, 5))]  # fmt: skip
        status = r.choice(["shipped", "pending", "cancelled", "shipped"])
        oid = 1040 + i
        data.append({"order_id": oid, "status": status, "items": items})
        total = sum(Decimal(str(it["price"])) * it["qty"] for it in items)
        if status == "shipped" and total > 500:
            chosen.append(oid)
    return Task(
        "orders-over-500", 2,
        "In the attached orders file, which shipped orders have a total value (sum of quantity "
        "times price over their items) above 500? List their order IDs in ascending order, "
        "separated by commas.",
        ", ".join(map(str, sorted(chosen))),
        ["Load the JSON.", "Total each order.", "Keep shipped orders over 500.", "Sort the IDs."],
        ["Python"], "orders.json", write_text(json.dumps(data, indent=1)),
    )  # fmt: skip


def staff(r: random.Random) -> Task:
    depts = {"D1": "Logistics", "D2": "Research", "D3": "Customer Care", "D4": "Finance"}
    emps: list[list[object]] = [["Name", "Dept", "Hired", "Salary"]]
    for i in range(50):
        hired = datetime(r.randrange(2010, 2024), r.randrange(1, 13), r.randrange(1, 28))
        emps.append(
            [f"Employee {i + 1}", r.choice(list(depts)), hired, r.randrange(38, 120) * 1000]
        )
    pay: dict[str, list[int]] = {}
    for _, d, h, s in emps[1:]:
        if h.year >= 2019:  # type: ignore[attr-defined]
            pay.setdefault(str(d), []).append(int(s))  # type: ignore[call-overload]
    best = max(pay, key=lambda d: statistics.mean(pay[d]))
    sheets = {"Employees": emps, "Departments": [["Code", "Department"], *map(list, depts.items())]}
    return Task(
        "staff-avg-salary", 2,
        "Using the attached workbook, which department has the highest average salary among "
        "employees hired in 2019 or later? Give the department's full name.",
        depts[best],
        ["Filter Employees hired >= 2019.", "Average salary per Dept code.",
         "Look the code up in Departments."],
        ["Spreadsheet reader", "Python"], "staff.xlsx", write_xlsx(sheets),
    )  # fmt: skip


def weekend_hours(r: random.Random) -> Task:
    rows: list[list[object]] = [["date", "employee", "hours"]]
    total = Decimal(0)
    for day in range(1, 31):
        d = date(2024, 6, day)
        for who in r.sample(["amal", "bo", "cyrus", "dana"], r.randrange(1, 4)):
            h = Decimal(r.randrange(4, 21)) / 2
            rows.append([d.strftime("%d/%m/%Y"), who, h])
            total += h if d.weekday() >= 5 else 0
    return Task(
        "weekend-hours", 2,
        "The attached timesheet covers June 2024 (dates are day/month/year). How many hours "
        "in total were worked on Saturdays and Sundays?",
        f"{total.normalize():f}",
        ["Parse the dates.", "Keep weekend days.", "Sum hours."], ["Python"],
        "timesheet_june.csv", write_csv(rows),
    )  # fmt: skip


def order_pdf(r: random.Random) -> Task:
    items = {f"T-{i}": ("Tools", Decimal(r.randrange(500, 9000)) / 100) for i in range(101, 106)}
    items |= {f"G-{i}": ("Garden", Decimal(r.randrange(300, 5000)) / 100) for i in range(201, 205)}
    order = {code: r.randrange(1, 9) for code in r.sample(sorted(items), 6)}
    total = sum(
        q * items[c][1] * (Decimal("0.92") if items[c][0] == "Tools" else 1)
        for c, q in order.items()
    )
    price_page = ["Trade price list (all prices per unit)", "",
                  *[f"{c}  {cat:<8}  {money(p)}" for c, (cat, p) in items.items()], "",
                  "Trade discount: 8% on items of the Tools category only."]  # fmt: skip
    order_page = ["Order 7731", "", *[f"{c} x {q}" for c, q in order.items()]]
    return Task(
        "order-7731-total", 2,
        "What is the total cost of order 7731 in the attached document, after the trade "
        "discount stated on the price list? Give the amount rounded to two decimals.",
        money(Decimal(total)),
        ["Read both pages.", "Price each line.", "Apply 8% off Tools lines.", "Sum, round."],
        ["PDF reader", "Calculator"], "order_7731.pdf", write_pdf([price_page, order_page]),
    )  # fmt: skip


def road_distances(r: random.Random) -> Task:
    towns = ["Arden", "Bexley", "Caldor", "Dunmore", "Elstow", "Fenwick", "Morrow"]
    edges = {}
    for a in towns:
        for b in r.sample(towns, 3):
            if a != b and (b, a) not in edges:
                edges[(a, b)] = r.randrange(12, 90)
    edges.pop(("Morrow", "Arden"), None)
    edges[("Arden", "Morrow")] = 400  # a direct road that is not the shortest
    graph: dict[str, list[tuple[str, int]]] = {t: [] for t in towns}
    for (a, b), km in edges.items():
        graph[a].append((b, km))
        graph[b].append((a, km))
    best, heap = {"Arden": 0}, [(0, "Arden")]
    while heap:
        dist, town = heapq.heappop(heap)
        for nxt, km in graph[town]:
            if dist + km < best.get(nxt, 10**9):
                best[nxt] = dist + km
                heapq.heappush(heap, (dist + km, nxt))
    table = [["From", "To", "km"], *[[a, b, str(km)] for (a, b), km in edges.items()]]
    return Task(
        "shortest-road", 2,
        "The attached document lists road segments between towns; each can be driven both "
        "ways. What is the length in km of the shortest route from Arden to Morrow?",
        str(best["Morrow"]),
        ["Read the table.", "Build the graph.", "Shortest path Arden to Morrow."],
        ["Document reader", "Python"], "roads.docx",
        write_docx(["Road segments of the district (km)."], table),
    )  # fmt: skip


def maze(r: random.Random) -> Task:
    h, w = 15, 21
    grid = [["." if r.random() > 0.28 else "#" for _ in range(w)] for _ in range(h)]
    grid[0][0], grid[h - 1][w - 1] = "S", "E"
    dist, todo = {(0, 0): 0}, deque([(0, 0)])
    while todo:
        y, x = todo.popleft()
        for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
            if 0 <= ny < h and 0 <= nx < w and grid[ny][nx] != "#" and (ny, nx) not in dist:
                dist[(ny, nx)] = dist[(y, x)] + 1
                todo.append((ny, nx))
    if (h - 1, w - 1) not in dist:
        return maze(r)  # walls closed the way: draw again
    return Task(
        "maze-moves", 2,
        "The attached text is a maze: S is the start, E the exit, # a wall, . open floor. "
        "Moving one cell at a time up, down, left or right, what is the smallest number of "
        "moves from S to E?",
        str(dist[(h - 1, w - 1)]), ["Parse the grid.", "Breadth-first search."], ["Python"],
        "maze.txt", write_text("\n".join("".join(row) for row in grid) + "\n"),
    )  # fmt: skip


def family(r: random.Random) -> Task:
    firsts = ["Ana", "Ben", "Cleo", "Dario", "Eva", "Finn", "Gia", "Hugo", "Iris", "Jon",
              "Kaia", "Luca", "Mila", "Nico", "Ola", "Pia", "Quin", "Rosa", "Sami",
              "Tess"]  # fmt: skip
    people = [{"id": 1, "name": "Odile Marchetti", "parents": []}]
    generations = [[1]]
    for _ in range(3):
        nxt = []
        for parent in generations[-1]:
            for _ in range(r.randrange(0, 4)):
                pid = len(people) + 1
                people.append({"id": pid, "name": f"{r.choice(firsts)} Marchetti-{pid}",
                               "parents": [parent]})  # fmt: skip
                nxt.append(pid)
        generations.append(nxt)
    if not generations[3]:
        return family(r)
    r.shuffle(people)
    return Task(
        "great-grandchildren", 2,
        "According to the attached family records, how many great-grandchildren does Odile "
        "Marchetti have?",
        str(len(generations[3])),
        ["Find Odile's children.", "Their children.", "Count the next generation."],
        ["Python"], "family.json", write_text(json.dumps({"people": people}, indent=1)),
    )  # fmt: skip


def add_months(d: date, months: int, day: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def renewal(_: random.Random) -> Task:
    start = date(2023, 1, 31)
    return Task(
        "renewal-date", 2,
        "A subscription starts on 31 January 2023 and renews every month on the same day of "
        "the month, or on the month's last day when that day does not exist. On what date is "
        "the 13th renewal? Answer as YYYY-MM-DD.",
        add_months(start, 13, start.day).isoformat(),
        ["Step month by month from the start.", "Clamp to month ends."], ["Python"],
    )  # fmt: skip


def expenses(r: random.Random) -> Task:
    rows: list[list[object]] = [["Month", "Category", "Amount"]]
    per_month = []
    for m in range(1, 13):
        amounts = [round(r.uniform(200, 1400), 2) for _ in range(3)]
        per_month.append(sum(Decimal(str(a)) for a in amounts))
        for cat, a in zip(["Rent", "Travel", "Supplies"], amounts, strict=True):
            rows.append([calendar.month_name[m], cat, a])
    running, month = Decimal(0), ""
    for m, total in enumerate(per_month, 1):
        running += total
        if running > 20000:
            month = calendar.month_name[m]
            break
    return Task(
        "expenses-cumulative", 2,
        "In the attached 2023 expense workbook, in which month did the cumulative total of "
        "all expenses since January first exceed 20000? Give the month's name.",
        month, ["Total each month.", "Accumulate.", "Find the first month over 20000."],
        ["Spreadsheet reader", "Python"], "expenses_2023.xlsx", write_xlsx({"2023": rows}),
    )  # fmt: skip


def trips(r: random.Random) -> Task:
    rows: list[list[object]] = [["trip", "vehicle", "distance", "unit"]]
    km = Decimal(0)
    for i in range(40):
        v, unit, d = r.choice(["V-01", "V-02", "V-03"]), r.choice(["km", "mi"]), r.randrange(5, 300)
        rows.append([i + 1, v, d, unit])
        if v == "V-03":
            km += Decimal(d) * (Decimal("1.609344") if unit == "mi" else 1)
    return Task(
        "trips-km", 2,
        "The attached trip log records distances in kilometres (km) or miles (mi). What is the "
        "total distance driven by vehicle V-03, in kilometres rounded to the nearest whole "
        "kilometre? Use 1 mile = 1.609344 km.",
        str(int(km.quantize(Decimal(1)))),
        ["Filter V-03.", "Convert miles.", "Sum and round."], ["Python"],
        "trips.csv", write_csv(rows),
    )  # fmt: skip


def contract(_: random.Random) -> Task:
    start, months, notice = date(2024, 8, 14), 18, 90
    end = add_months(start, months, start.day) - timedelta(days=1)
    paragraphs = ["SERVICE AGREEMENT",
                  "1. This agreement takes effect on 14 August 2024.",
                  f"2. The initial term is {months} months; it ends on the day before the "
                  "same calendar day, that many months after the start.",
                  f"3. Either party may end the agreement by written notice of {notice} "
                  "calendar days; the notice period starts on the day after notice is given.",
                  "4. Invoices are payable within 30 days."]  # fmt: skip
    return Task(
        "contract-notice", 2,
        "Under the attached agreement, if notice is given on the last day of the initial term, "
        "on what date does the notice period end? Answer as YYYY-MM-DD.",
        (end + timedelta(days=notice)).isoformat(),
        ["Find the start and term.", "Compute the term's last day.", "Add the notice period."],
        ["Document reader", "Python"], "agreement.docx", write_docx(paragraphs),
    )  # fmt: skip


TASKS = [regional_sales, station_temps, inventory, catalogue, caesar, days_between, weekday,
         minutes, quarterly_pdf, prime_sum, server_log, grades, acrostic, orders, staff,
         weekend_hours, order_pdf, road_distances, maze, family, renewal, expenses, trips,
         contract]  # fmt: skip

README = """# GAIA-style tasks written for agentkit

{n} tasks ({levels}) in GAIA's official layout (`metadata.jsonl`, attachments beside it),
so that the GAIA loader, scorer and tools run with no download. **They are not GAIA data**:
every question was written for agentkit, and no GAIA question or answer is copied (GAIA's
dataset card forbids resharing its sets).

- Written by the agentkit authors; shared under agentkit's Apache-2.0 licence.
- Generated by `python benchmarks/gaia_tasks.py` (seeded): the data in each attachment is
  drawn by that script and every `Final answer` is computed by code from that data, so the
  answers are right by construction. The attachments' containers (xlsx, docx, pdf) carry
  fixed metadata dates.
- Kinds: data files to aggregate (csv, xlsx, json), documents to read (docx, pdf), dates,
  and small puzzles (a cipher, a maze, an acrostic, shortest roads).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.iterdir():
        old.unlink()
    records = []
    for make in TASKS:
        task = make(random.Random(f"{args.seed}:{make.__name__}"))
        if task.write:
            task.write(args.out / task.file_name)
        records.append(task.record())
    lines = "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records)
    (args.out / "metadata.jsonl").write_text(lines, encoding="utf-8")
    levels = sorted({int(rec["Level"]) for rec in records})  # type: ignore[call-overload]
    counts = ", ".join(
        f"{sum(rec['Level'] == lv for rec in records)} of level {lv}" for lv in levels
    )
    (args.out / "README.md").write_text(README.format(n=len(records), levels=counts))
    size = sum(p.stat().st_size for p in args.out.iterdir())
    print(f"{len(records)} tasks ({counts}), {size / 1024:.0f} KiB in {args.out}")


if __name__ == "__main__":
    main()
