"""The bench's verdict: every target with its measured figure, met or not, as a table on the
terminal, as JSON and as an SVG chart in bench/results/."""

import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

# The Scale issue's targets.
MIN_SHARE_OF_TEMPLATE_ONLY = 0.5
MAX_P99_OVER_P50 = 3.0
MAX_RESPONSE_BYTES = 200_000
MAX_WORKER_RSS_MB = 150
MAX_SEED_SECONDS = 180


@dataclass
class Target:
    subject: str
    target: str
    measured: str
    met: bool | None  # None: measured, no target to meet

    def as_dict(self) -> dict:
        return {"subject": self.subject, "target": self.target, "measured": self.measured, "met": self.met}


@dataclass
class TargetReport:
    """Where a measurement records its figures. Call it (or .add) with a subject, the measured
    figure as text, the target as text and whether it was met; bench/reminders.py gets one."""

    targets: list[Target] = field(default_factory=list)
    figures: dict = field(default_factory=dict)

    def add(self, subject: str, measured, target: str = "", met: bool | None = None, **figures) -> None:
        self.targets.append(Target(subject=str(subject), target=str(target or ""), measured=str(measured), met=met))
        if figures:
            self.figures[str(subject)] = figures

    def __call__(self, *args, **kwargs) -> None:
        """Also takes `report(name, value, unit, limit, size)`: a figure in `unit` that must stay
        at or below `limit` (None: no target), measured on `size`."""
        if len(args) >= 4 and isinstance(args[1], int | float) and isinstance(args[2], str):
            name, value, unit, limit, *rest = args
            size = f" ({rest[0]})" if rest else ""
            self.add(
                name,
                f"{value:.2f} {unit}{size}",
                f"≤ {limit} {unit}" if limit is not None else "",
                value <= limit if limit is not None else None,
            )
        else:
            self.add(*args, **kwargs)

    def __setitem__(self, subject, measured) -> None:
        self.add(subject, measured)


def pages_as_dict(pages: dict, baselines: dict) -> dict:
    out: dict = {"baselines": {}, "pages": {}}
    for role, measured in baselines.items():
        out["baselines"][role] = {
            name: {
                "requests_per_second": baseline.median("requests_per_second"),
                "p50_ms": baseline.median("p50_ms"),
                "p99_ms": baseline.median("p99_ms"),
                "runs": [run.__dict__ for run in baseline.runs],
            }
            for name, baseline in measured.items()
        }
    for key, page in pages.items():
        template_only = out["baselines"][page.role]["template_only"]["requests_per_second"]
        naive = out["baselines"][page.role]["naive_list"]["requests_per_second"]
        rps = page.median("requests_per_second")
        out["pages"][key] = {
            "label": page.label,
            "role": str(page.role),
            "url": page.url,
            "status": page.status,
            "queries": page.queries,
            "response_bytes": page.response_bytes,
            "seq_scans": page.seq_scans,
            "requests_per_second": rps,
            "p50_ms": page.median("p50_ms"),
            "p99_ms": page.median("p99_ms"),
            "non_200": sum(run.non_200 for run in page.runs),
            "share_of_template_only": rps / template_only if template_only else 0.0,
            "ratio_to_naive_list": rps / naive if naive else 0.0,
            "runs": [run.__dict__ for run in page.runs],
        }
    return out


PUBLIC_PAGE_PREFIX = "public-groups"


def page_targets(pages: dict) -> list[Target]:
    targets = []
    for key, page in pages["pages"].items():
        share = page["share_of_template_only"]
        naive = page["ratio_to_naive_list"]
        tail = page["p99_ms"] / page["p50_ms"] if page["p50_ms"] else 0.0
        ok_status = page["status"] == 200 and page["non_200"] == 0
        targets += [
            Target(
                page["label"],
                f"≥ {MIN_SHARE_OF_TEMPLATE_ONLY:.0%} av mallsidan, ≥ naiv ListView",
                f"{page['requests_per_second']:.0f} req/s = {share:.0%} av mallsidan, {naive:.2f}× naiv",
                share >= MIN_SHARE_OF_TEMPLATE_ONLY and naive >= 1.0 and ok_status,
            ),
            *(
                [
                    # Coordination I: the public page of groups at least as fast as the template page.
                    Target(
                        f"  {page['label']}: för allmänheten",
                        "≥ 100% av mallsidan",
                        f"{share:.0%} av mallsidan",
                        share >= 1.0 and ok_status,
                    )
                ]
                if key.startswith(PUBLIC_PAGE_PREFIX)
                else []
            ),
            Target(
                f"  {page['label']}: svarstider",
                f"p99 ≤ {MAX_P99_OVER_P50:.0f}× p50",
                f"p50 {page['p50_ms']:.1f} ms, p99 {page['p99_ms']:.1f} ms ({tail:.1f}×)",
                tail <= MAX_P99_OVER_P50,
            ),
            Target(
                f"  {page['label']}: EXPLAIN",
                "ingen Seq Scan på tabell > 10 000 rader",
                ", ".join(f"Seq Scan på {table}" for table in page.get("seq_scans", [])) or "inga",
                not page.get("seq_scans"),
            ),
            Target(
                f"  {page['label']}: storlek",
                f"≤ {MAX_RESPONSE_BYTES // 1000} kB, sidindelad",
                f"{page['response_bytes'] / 1000:.0f} kB, {page['queries']} frågor, HTTP {page['status']}",
                (page["response_bytes"] or 0) <= MAX_RESPONSE_BYTES and ok_status,
            ),
        ]
    return targets


def all_targets(results: dict) -> list[Target]:
    targets = []
    if "seed_seconds" in results:
        targets.append(
            Target(
                "Data i nationell skala (COPY)",
                f"≤ {MAX_SEED_SECONDS} s",
                f"{results['seed_seconds']:.0f} s (migreringar {results['migrate_seconds']:.0f} s till)",
                results["seed_seconds"] <= MAX_SEED_SECONDS,
            )
        )
    for role, measured in results["pages"]["baselines"].items():
        for name, baseline in measured.items():
            targets.append(
                Target(
                    f"Baslinje {name} ({role})",
                    "",
                    f"{baseline['requests_per_second']:.0f} req/s, p50 {baseline['p50_ms']:.1f} ms, "
                    f"p99 {baseline['p99_ms']:.1f} ms",
                    None,
                )
            )
    targets += page_targets(results["pages"])
    rss = results.get("worker_rss_mb") or []
    targets.append(
        Target(
            "Webbarbetarnas minne efter sidorna",
            f"≤ {MAX_WORKER_RSS_MB} MB RSS",
            ", ".join(f"{size:.0f} MB" for size in rss) or "inte mätt",
            bool(rss) and max(rss) <= MAX_WORKER_RSS_MB,
        )
    )
    targets += [Target(**target) for target in results.get("jobs", {}).get("targets", [])]
    return targets


def _table(targets: list[Target]) -> str:
    widths = [
        max(len(t.subject) for t in targets),
        max(len(t.target) for t in targets),
        max(len(t.measured) for t in targets),
    ]
    lines = [
        f"{'Vad':<{widths[0]}}  {'Mål':<{widths[1]}}  {'Uppmätt':<{widths[2]}}  Uppfyllt",
        "-" * (sum(widths) + 16),
    ]
    for target in targets:
        verdict = "–" if target.met is None else ("JA" if target.met else "NEJ")
        lines.append(
            f"{target.subject:<{widths[0]}}  {target.target:<{widths[1]}}  {target.measured:<{widths[2]}}  {verdict}"
        )
    return "\n".join(lines)


def chart_svg(pages: dict) -> str:
    """Each page's requests/s as a share of the template-only page, with the 50 % line and each
    page's naive-ListView mark."""
    rows = list(pages["pages"].values())
    label_width, bar_width, row = 330, 420, 22
    height = 50 + row * len(rows)
    scale = max([1.0, *(page["share_of_template_only"] for page in rows)])

    def x(share: float) -> float:
        return label_width + bar_width * min(share, scale) / scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_width + bar_width + 90} {height}" '
        f'font-family="sans-serif" font-size="12">',
        "<title>Gruppstöd make bench: req/s som andel av mallsidan</title>",
        f'<text x="0" y="16" font-weight="bold">req/s som andel av mallsidan (50 rader); '
        f"streck: naiv ListView; linje: mål {MIN_SHARE_OF_TEMPLATE_ONLY:.0%}</text>",
    ]
    for index, page in enumerate(rows):
        y = 30 + index * row
        share = page["share_of_template_only"]
        naive_share = share / page["ratio_to_naive_list"] if page["ratio_to_naive_list"] else 0
        met = share >= MIN_SHARE_OF_TEMPLATE_ONLY and page["ratio_to_naive_list"] >= 1
        colour = "#2f7d32" if met else "#b3261e"
        parts += [
            f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">{escape(page["label"])}</text>',
            f'<rect x="{label_width}" y="{y}" width="{x(share) - label_width:.1f}" height="16" fill="{colour}"/>',
            f'<text x="{x(share) + 4:.1f}" y="{y + 13}">{share:.0%}</text>',
            f'<line x1="{x(naive_share):.1f}" x2="{x(naive_share):.1f}" y1="{y - 1}" y2="{y + 17}" '
            'stroke="#000" stroke-width="2"/>',
        ]
    goal = x(MIN_SHARE_OF_TEMPLATE_ONLY)
    parts.append(
        f'<line x1="{goal:.1f}" x2="{goal:.1f}" y1="24" y2="{height - 4}" stroke="#555" stroke-dasharray="4 3"/>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def save_partial(results: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "partial.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))


def write(results: dict, *, log) -> int:
    """Print the table, write JSON and the chart; exit status 0 whether or not targets are met
    (the table says which), 1 only if a page did not answer."""
    targets = all_targets(results)
    results["targets"] = [target.as_dict() for target in targets]
    RESULTS.mkdir(exist_ok=True)
    stamp = results["started_at"][:19].replace(":", "").replace("-", "")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (RESULTS / name).write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    (RESULTS / "latest.svg").write_text(chart_svg(results["pages"]))
    table = _table(targets)
    (RESULTS / "latest.txt").write_text(table + "\n")
    log("")
    log(table)
    met = sum(1 for target in targets if target.met)
    judged = sum(1 for target in targets if target.met is not None)
    log(f"\n{met} av {judged} mål uppfyllda. Resultat: {RESULTS / 'latest.json'}, {RESULTS / 'latest.svg'}")
    failed_pages = [page["label"] for page in results["pages"]["pages"].values() if page["status"] != 200]
    if failed_pages:
        log("Sidor som inte svarade 200: " + ", ".join(failed_pages))
        return 1
    return 0
