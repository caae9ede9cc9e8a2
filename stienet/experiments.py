"""Sweeps: the papers' experiments as lists of runs, executed resumably into result files.

A sweep expands into :class:`RunSpec` s; each run calls the same code as a single run
(:func:`stienet.train.fit` for STIENet, :func:`stienet.closed_set.run_closed_set` for the
SATNMF paper's methods) and writes one JSON file, atomically, at a path fixed by its spec:
``<out>/<data>/<sweep>/<method>/<source>_<target>_seed<k>[_<tag>].json``.

* Resumable: a run whose file exists, parses and carries the same spec is skipped. A file that
  does not parse, holds another spec, or (synthetic data) was made by another version of the
  stand-in generator, is reported and run again. Temporary files left by a
  killed process are removed. So a killed sweep restarted finishes the rest, and never leaves
  a half-written or duplicated result.
* ``jobs > 1`` runs independent runs in parallel processes (each with ``cores // jobs`` torch
  threads).

Sweeps (``SWEEPS``): ``pairs`` (STIENet Tables 2–3; the methods of ``Settings.methods``, by
their names in :data:`stienet.methods.METHODS`), ``ablation`` (STIENet Fig 2),
``sensitivity`` (STIENet Fig 3), ``satnmf`` (SATNMF Table 3 and Fig 2, fixed hyper-parameters;
the methods of ``Settings.closed_methods``), ``satnmf-source-cv`` (the same runs, each method's grid chosen
by leave-one-speaker-out on the source), ``satnmf-oracle`` (the same runs with the paper's
grid search on target labels), ``shift`` (beyond the
papers: accuracy against the synthetic corpus-difference knob), ``open-ablation`` (beyond the
papers: the ``open`` preset without each of its ingredients). STIENet sweeps run once per
training preset of ``Settings.presets`` (``paper`` and ``open``, see :data:`stienet.train.PRESETS`);
the preset is the first part of each run's tag (``paper_beta=0``).
"""
from __future__ import annotations

import itertools
import json
import os
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm

from .data.specs import KNOWN_CLASSES
from .results import load_result, portable_value, save_result

CORPORA_PAIRS = ("B", "C", "e", "S")
WEIGHTS = ("alpha", "beta", "gamma", "delta", "epsilon")
#: Values of each Eq (5) weight in the sensitivity sweep (the others stay at 1).
SENSITIVITY_GRID = (0.0, 0.5, 1.0, 1.5, 2.0)
#: The pair of the paper's ablation and sensitivity study (STIENet §4.4).
STUDY_PAIR = ("C", "B")
#: Closed-set methods of the satnmf sweeps, in SATNMF Table 3's order, then its Fig 2 special
#: cases, then skada's (beyond the paper); paper names of :data:`stienet.closed_set.REGISTRY`.
SATNMF_METHODS = ("SVM", "mSDA", "TNMF", "FSTSL", "DBN", "DoSL", "SATNMF", "SNMF", "SNMF-γ",
                  "STNMF-λ", "CORAL", "SA", "TCA", "JDOT")
SHIFTS = (0.5, 1.0, 2.0, 3.0)
SWEEPS = ("pairs", "ablation", "sensitivity", "satnmf", "satnmf-oracle", "satnmf-source-cv", "shift",
          "open-ablation")
#: The ``open`` preset's ingredients and the ``paper`` values that switch each one off.
OPEN_INGREDIENTS = {
    "norm-matched": dict(pseudo_unknowns="dropout"),
    "target-unknowns": dict(target_unknown_frac=0.0),
    "weighted-mmd": dict(weight_mmd=False),
    "eval-pseudo-labels": dict(pseudo_labels="train", pseudo_threshold=0.0),
    "phi": dict(phi=0.1),
    "threshold": dict(decision="argmax"),
    "domain-bn": dict(bn="joint"),   # in both presets (an implementation choice, issue #10)
}
OPEN_ABLATION_PAIRS = (("C", "B"), ("B", "C"))


@dataclass
class Settings:
    """What a sweep is run with (stored in every result's spec)."""

    seeds: tuple = (0, 1)
    presets: tuple = ("paper", "open")   # STIENet training presets (stienet.train.PRESETS)
    methods: tuple = ("STIENet",)        # open-set methods of the pairs sweep (stienet.methods)
    epochs: int = 10
    batch_size: int = 32
    scale: float = 0.25             # synthetic corpus size (ignored for real data)
    data_root: str | None = None
    device: str = "auto"
    r: int = 128                    # SATNMF rank
    trials: int = 5                 # SATNMF initialisations voted
    cv_trials: int = 1              # satnmf-source-cv: SATNMF initialisations per fold
    grid: dict = field(default_factory=dict)   # satnmf-oracle / -source-cv: the grid searched
    max_iter: int = 300             # SATNMF rounds (at most; stops earlier at tol)
    corpora: tuple = CORPORA_PAIRS  # pairs sweep: every ordered pair of these (codes or manifest CSVs)
    study_pair: tuple = STUDY_PAIR  # ablation / sensitivity / open-ablation: (source, target)
    closed_methods: tuple | None = None   # closed-set methods of the satnmf sweeps (None: all)
    schemes: tuple | None = None    # satnmf sweeps: schemes (None: SATNMF's e2E, E2B, B2C, C2e)

    def data(self) -> str:
        """Which data the sweep's corpora are: manifest CSVs are ``"real"``; corpus codes are
        ``"real"`` when a data root is set (argument or $STIENET_DATA), else ``"synthetic"``;
        ``"mixed"`` when both kinds meet (as :func:`stienet.train.fit` labels such a run)."""
        from .data.specs import manifest_path

        codes = "real" if (self.data_root or os.environ.get("STIENET_DATA")) else "synthetic"
        from .data.specs import R_SCHEMES

        chosen = [*(self.corpora if tuple(self.corpora) != CORPORA_PAIRS else ()),
                  *(["ravdess.csv"] if set(self.schemes or ()) & set(R_SCHEMES) else []),
                  *(self.study_pair if tuple(self.study_pair) != STUDY_PAIR else ())]
        kinds = {"real" if manifest_path(c) is not None else codes for c in chosen} or {codes}
        return kinds.pop() if len(kinds) == 1 else "mixed"


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep. ``params``: sorted (name, value) pairs that differ between runs."""

    sweep: str
    kind: str                       # "stienet", "open" (stienet.methods) or "closed"
    method: str
    source: str
    target: str
    seed: int
    tag: str = ""
    params: tuple = ()

    def path(self, out, data: str) -> Path:
        from .closed_set import SLUGS
        from .data.specs import corpus_name

        slug = SLUGS.get(self.method, self.method)
        name = f"{corpus_name(self.source)}_{corpus_name(self.target)}_seed{self.seed}" + (f"_{self.tag}" if self.tag else "")
        return Path(out) / data / self.sweep / slug / f"{name}.json"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["params"] = {k: v for k, v in self.params}
        return d


def _p(**kw) -> tuple:
    return tuple(sorted(kw.items()))


def expand(sweep: str, settings: Settings | None = None) -> list[RunSpec]:
    """The runs of a named sweep (see :data:`SWEEPS`), in a stable order."""
    s = settings or Settings()
    runs = []
    if sweep == "pairs":
        from .methods import get_method

        for name in s.methods:
            method = get_method(name)
            pairs = list(itertools.permutations(s.corpora, 2))
            if method.presets:           # STIENet: once per training preset, tagged by it
                for (a, b), preset, seed in itertools.product(pairs, s.presets, s.seeds):
                    runs.append(RunSpec("pairs", "stienet", method.name, a, b, seed, preset,
                                        _p(preset=preset)))
            else:                        # the baselines of Tables 2-3 (stienet.methods)
                for (a, b), seed in itertools.product(pairs, s.seeds):
                    runs.append(RunSpec("pairs", "open", method.name, a, b, seed))
    elif sweep in ("ablation", "sensitivity"):
        configs = [("all=1", {})]
        grid = (0.0,) if sweep == "ablation" else [v for v in SENSITIVITY_GRID if v != 1.0]
        configs += [(f"{w}={v:g}", {w: v}) for w in WEIGHTS for v in grid]
        for preset, (tag, w), seed in itertools.product(s.presets, configs, s.seeds):
            runs.append(RunSpec(sweep, "stienet", "STIENet", *s.study_pair, seed, f"{preset}_{tag}",
                                _p(preset=preset, **w)))
    elif sweep == "open-ablation":
        configs = [("open", {})] + [(f"open_no-{name}", off) for name, off in OPEN_INGREDIENTS.items()]
        pairs = OPEN_ABLATION_PAIRS if tuple(s.study_pair) == STUDY_PAIR else (tuple(s.study_pair),)
        for (a, b), (tag, off), seed in itertools.product(pairs, configs, s.seeds):
            runs.append(RunSpec(sweep, "stienet", "STIENet", a, b, seed, tag, _p(preset="open", **off)))
    elif sweep in ("satnmf", "satnmf-oracle", "satnmf-source-cv"):
        from .data import SCHEMES, scheme_corpora

        if tuple(s.corpora) != CORPORA_PAIRS:
            raise ValueError("the satnmf sweep runs closed-set schemes on their own corpora "
                             "(SATNMF's e2E, E2B, B2C, C2e, or --schemes, e.g. B2C B2R R2B C2R "
                             "R2C); for other corpora use `satnmf --source/--target`")
        oracle = {"satnmf-oracle": {"select": "oracle"},
                  "satnmf-source-cv": {"select": "source-cv"}}.get(sweep, {})
        methods = s.closed_methods or SATNMF_METHODS
        unknown = [m for m in methods if m not in SATNMF_METHODS]
        if unknown:
            raise ValueError(f"unknown closed-set method(s) {unknown}; known: {SATNMF_METHODS}")
        if s.grid and sweep == "satnmf":
            raise ValueError("--grid is searched by the satnmf-oracle and satnmf-source-cv sweeps")
        # a run with its own grid is stored apart from the registry grid's (tag B2C_grid-beta-r)
        suffix = "_grid-" + "-".join(sorted(s.grid)) if s.grid else ""
        for scheme, method, seed in itertools.product(s.schemes or SCHEMES, methods, s.seeds):
            src, tgt, _ = scheme_corpora(scheme, s.data_root)
            runs.append(RunSpec(sweep, "closed", method, src, tgt, seed, scheme + suffix,
                                _p(classes=scheme, **oracle)))
    elif sweep == "shift":
        if s.data() == "real":
            raise ValueError("the shift sweep turns a knob of the synthetic stand-ins; "
                             "it has no meaning on real corpora")
        src, tgt = "B", "C"
        for shift, seed in itertools.product(SHIFTS, s.seeds):
            tag = f"shift={shift:g}"
            for preset in s.presets:
                runs.append(RunSpec("shift", "stienet", "STIENet", src, tgt, seed, f"{preset}_{tag}",
                                    _p(shift=shift, preset=preset)))
            runs.append(RunSpec("shift", "stienet", "source-only", src, tgt, seed, tag,
                                _p(shift=shift, beta=0.0, gamma=0.0, delta=0.0, epsilon=0.0)))
            for method in ("SVM", "SATNMF"):
                runs.append(RunSpec("shift", "closed", method, src, tgt, seed, tag,
                                    _p(shift=shift, classes="B2C")))
            # the SVM on source-only's own task (the 3 known classes): the issue #10 check
            runs.append(RunSpec("shift", "closed", "SVM", src, tgt, seed, f"known_{tag}",
                                _p(shift=shift, classes=KNOWN_CLASSES)))
    else:
        raise ValueError(f"unknown sweep {sweep!r}; sweeps are {', '.join(SWEEPS)}")
    return runs


def execute(spec: RunSpec, settings: Settings) -> dict:
    """Run one spec and return its record (not yet saved); adds ``sweep``, ``tag``, ``spec``."""
    params = dict(spec.params)
    shift = params.pop("shift", 1.0)
    if spec.kind == "stienet":
        from dataclasses import fields

        from .losses import LossWeights
        from .train import TrainConfig, fit

        weights = LossWeights(**{w: params.pop(w, 1.0) for w in WEIGHTS})
        recipe = {f.name: params.pop(f.name) for f in fields(TrainConfig) if f.name in params}
        cfg = TrainConfig(epochs=settings.epochs, batch_size=settings.batch_size, seed=spec.seed,
                          weights=weights, device=settings.device, data_root=settings.data_root,
                          synthetic_scale=settings.scale, synthetic_shift=shift, **recipe)
        record = fit(spec.source, spec.target, cfg, progress=False).to_json()
        record["method"] = spec.method
    elif spec.kind == "open":
        from .methods import run_method

        record = run_method(spec.method, spec.source, spec.target, seed=spec.seed,
                            epochs=settings.epochs, batch_size=settings.batch_size,
                            scale=settings.scale, shift=shift, data_root=settings.data_root,
                            device=settings.device, params=params, progress=False)
        params = {}
    else:
        from .closed_set import ClosedSetConfig, run_closed_set

        select = params.pop("select", "fixed")
        cfg = ClosedSetConfig(method=spec.method, classes=params.pop("classes", None),
                              select=select, r=settings.r, n_trials=settings.trials,
                              max_iter=settings.max_iter, cv_trials=settings.cv_trials,
                              grid=settings.grid if select != "fixed" else {},
                              seed=spec.seed, data_root=settings.data_root,
                              synthetic_scale=settings.scale, synthetic_shift=shift)
        record = run_closed_set(spec.source, spec.target, cfg, progress=False)
    if params:
        raise ValueError(f"unused parameters {params} in {spec}")
    import torch

    record.update(sweep=spec.sweep, tag=spec.tag, torch_threads=torch.get_num_threads(),
                  **run_identity(spec, settings))
    return record


def run_identity(spec: RunSpec, settings: Settings) -> dict:
    """What a result file stores of the sweep that made it (``spec`` and ``settings``);
    :func:`valid_result` compares the spec to decide whether a run is done."""
    return dict(spec=spec.to_dict(),
                settings=asdict(settings) | {"seeds": list(settings.seeds),
                                             "closed_methods": list(settings.closed_methods or []),
                                             "schemes": list(settings.schemes or [])})


def valid_result(path: Path, spec: RunSpec) -> tuple[bool, str]:
    """(usable, reason): the file parses and holds the same spec and a metrics block."""
    if not path.is_file():
        return False, "missing"
    try:
        rec = load_result(path)
    except (json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
        return False, f"corrupt ({type(exc).__name__}: {exc})"
    if not isinstance(rec, dict) or "metrics" not in rec:
        return False, "corrupt (no metrics)"
    if rec.get("spec") != json.loads(json.dumps(portable_value(spec.to_dict()))):
        return False, "holds another spec"
    if spec.kind == "stienet":
        from .train import PRESETS

        hp = rec.get("hyperparameters") or {}
        recipe = PRESETS.get(hp.get("preset"), {})
        stale = sorted(k for k, v in recipe.items() if k not in dict(spec.params) and hp.get(k) != v)
        if stale:
            return False, (f"trained with another {hp.get('preset')!r} recipe "
                           f"({', '.join(f'{k}={hp.get(k)!r}' for k in stale)}; now "
                           f"{', '.join(f'{k}={recipe[k]!r}' for k in stale)})")
    if rec.get("data") == "synthetic":
        from .data.synthetic import GENERATOR_VERSION

        made_by = rec.get("generator_version", 1)  # files from before the field: version 1
        if made_by != GENERATOR_VERSION:
            return False, (f"made by synthetic generator version {made_by}, "
                           f"the current one is {GENERATOR_VERSION}")
    return True, "ok"


def _worker(spec: RunSpec, settings: Settings, out: str, threads: int | None) -> tuple[str, dict, float]:
    from .threads import configure_threads

    configure_threads(threads, probe=False)   # None: fitted to the free cores every epoch
    start = time.perf_counter()
    record = execute(spec, settings)
    path = save_result(record, spec.path(out, settings.data()))
    return str(path), record["metrics"], time.perf_counter() - start


@dataclass
class SweepReport:
    """What :func:`run_sweep` did."""

    total: int
    skipped: int = 0
    done: list = field(default_factory=list)        # (path, wall seconds)
    rerun: list = field(default_factory=list)       # (path, reason) of files that were unusable
    failed: list = field(default_factory=list)      # (spec, error)
    wall_s: float = 0.0
    submitted: int = 0                              # runs started (the rest were done before)
    keys: dict = field(default_factory=dict)        # result path -> Dask task key (--cluster)


def pending_runs(sweep: str, settings: Settings, out) -> tuple[SweepReport, list[RunSpec]]:
    """The runs of ``sweep`` still to do, after removing temporary files left by a killed
    writer; finished runs are counted as skipped and unusable files reported (and warned of)."""
    specs = expand(sweep, settings)
    data = settings.data()
    for tmp in (Path(out) / data / sweep).rglob(".*.tmp"):
        tmp.unlink()                                 # left by a killed writer
    report = SweepReport(total=len(specs))
    todo = []
    for spec in specs:
        ok, reason = valid_result(spec.path(out, data), spec)
        if ok:
            report.skipped += 1
            continue
        if reason != "missing":
            report.rerun.append((str(spec.path(out, data)), reason))
        todo.append(spec)
    if report.rerun:
        warnings.warn(f"{len(report.rerun)} unusable result file(s) will be run again: "
                      + "; ".join(f"{p}: {r}" for p, r in report.rerun[:5]), stacklevel=3)
    return report, todo


def run_sweep(sweep: str, settings: Settings | None = None, out="results", jobs: int = 1,
              progress: bool = True, threads: int | None = None) -> SweepReport:
    """Run every missing run of ``sweep``; see the module docstring for the guarantees.
    ``threads``: torch threads of each run (default: the usable cores divided by ``jobs``)."""
    settings = settings or Settings()
    start = time.perf_counter()
    report, todo = pending_runs(sweep, settings, out)
    report.submitted = len(todo)
    bar = tqdm(total=len(todo), desc=f"sweep {sweep} ({report.skipped} done before)",
               unit="run", disable=not progress)
    from .threads import usable_cores

    threads = threads or (max(1, usable_cores() // jobs) if jobs > 1 else None)
    if jobs <= 1:
        for spec in todo:
            _collect(report, spec, bar, lambda s=spec: _worker(s, settings, str(out), threads))
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(_worker, s, settings, str(out), threads): s for s in todo}
            for fut in as_completed(futures):
                _collect(report, futures[fut], bar, fut.result)
    bar.close()
    report.wall_s = time.perf_counter() - start
    return report


def _collect(report: SweepReport, spec: RunSpec, bar, get) -> None:
    try:
        path, _, wall = get()
        report.done.append((path, wall))
    except Exception as exc:  # noqa: BLE001 — one failed run must not lose the others
        report.failed.append((spec, f"{type(exc).__name__}: {exc}"))
    bar.update(1)


def run_papermill(settings: Settings, notebook="notebooks/train.ipynb", runs_dir="runs",
                  out="results", progress: bool = True) -> list[Path]:
    """The ``pairs`` sweep through the train notebook: one executed notebook per pair and seed
    in ``runs_dir`` (the notebook itself writes the result JSON below ``out``). Existing
    executed notebooks are kept."""
    import papermill as pm

    done = []
    specs = [s for s in expand("pairs", settings) if s.kind == "stienet"]   # the train notebook is STIENet's
    for spec in tqdm(specs, desc="papermill pairs", unit="run", disable=not progress):
        from .data.specs import corpus_name

        target = (Path(runs_dir) / f"{corpus_name(spec.source)}_{corpus_name(spec.target)}"
                  f"_seed{spec.seed}_{spec.tag}.ipynb")
        if not target.is_file():
            from .job import ipc_kernel_manager

            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp.ipynb")
            pm.execute_notebook(notebook, str(tmp), progress_bar=False, parameters=dict(
                source=spec.source, target=spec.target, seed=spec.seed, epochs=settings.epochs,
                preset=dict(spec.params)["preset"], data_root=settings.data_root,
                synthetic_scale=settings.scale, batch_size=settings.batch_size,
                device=settings.device, out_dir=str(out)), kernel_manager_class=ipc_kernel_manager())
            os.replace(tmp, target)
        done.append(target)
    return done
