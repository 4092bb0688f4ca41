"""Classifier model versions in the ``model_versions`` table: the bundled model is registered on
first use; ``radar train`` adds versions (artifacts under ``data_dir/models/``); exactly one is
active (a unique partial index enforces it); rollback goes to the previously active version."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from radar.config import Config
from radar.models import Label, Mention, ModelVersion

BUNDLED = "bundled"
SUPERSEDED = "superseded"
"""``artifact_path`` of a model shipped with an earlier release (its file was replaced)."""
TOLERANCE = 0.01
"""A new model is *worse* when its F1 or its PR-AUC on the evaluation split is lower than the
active model's by more than this."""


class ModelVersionError(Exception):
    """A version does not exist or cannot be activated; the message says what to do."""


class TrainRefused(Exception):
    """The new model is worse than the active one; it is stored but not activated."""


def models_dir(cfg: Config) -> Path:
    return cfg.data_dir / "models"


def bundled_version() -> str:
    from radar.classify.classifier import BUNDLED_MODEL
    from radar.classify.model import load_model

    return load_model(BUNDLED_MODEL).version or "bundled"


_BUNDLED_INFO: dict[str, Any] = {}


def _bundled_info() -> dict[str, Any]:
    if not _BUNDLED_INFO:
        from radar.classify.classifier import BUNDLED_MODEL
        from radar.classify.model import load_model

        m = load_model(BUNDLED_MODEL)
        _BUNDLED_INFO.update(version=m.version or "bundled", metrics=json.loads(json.dumps(m.metrics, default=float)))
    return _BUNDLED_INFO


def ensure_bundled(session: Session) -> ModelVersion:
    """Register the model shipped with the package: active when no model is active yet, or when the
    active one is an earlier shipped model (an upgrade replaces the shipped model; a model trained
    with ``radar train`` stays active). Earlier shipped versions stay listed for the record but
    cannot be activated again: their file was replaced."""
    info = _bundled_info()
    mv = session.scalar(select(ModelVersion).where(ModelVersion.version == info["version"]))
    if mv is not None:
        if mv.artifact_path == BUNDLED and mv.metrics != info["metrics"]:
            # same shipped model, figures recomputed (new rules or data around it): show the new ones
            mv.metrics = info["metrics"]
        return mv  # the usual case: one query
    current = session.scalar(select(ModelVersion).where(ModelVersion.active.is_(True)))
    activate_new = current is None or current.artifact_path == BUNDLED  # a trained model stays active
    olds = list(session.scalars(select(ModelVersion).where(ModelVersion.artifact_path == BUNDLED)))
    try:
        with session.begin_nested():
            for old in olds:
                old.artifact_path = SUPERSEDED  # its file is the new one now
                old.notes = f"shipped with an earlier release; replaced by {info['version']}"
                old.active = False
            session.flush()  # the unique partial index allows one active row at a time
            mv = ModelVersion(version=info["version"], artifact_path=BUNDLED, metrics=info["metrics"],
                              active=activate_new, notes="shipped with the package")
            session.add(mv)
            session.flush()
    except (IntegrityError, OperationalError):
        # another process (the service's first classification, a second `radar` command) registered
        # the shipped model at the same moment: use its row
        mv = session.scalar(select(ModelVersion).where(ModelVersion.version == info["version"]))
        if mv is None:
            raise
    return mv


def active_version(session: Session) -> ModelVersion:
    ensure_bundled(session)
    mv = session.scalar(select(ModelVersion).where(ModelVersion.active.is_(True)))
    if mv is None:  # every version deactivated by hand: fall back to the bundled one
        mv = activate(session, _bundled_info()["version"])
    return mv


def list_versions(session: Session) -> list[ModelVersion]:
    return list(session.scalars(select(ModelVersion).order_by(ModelVersion.created_at, ModelVersion.id)))


def activate(session: Session, version: str, _remember: bool = True) -> ModelVersion:
    """Make ``version`` the active model; the old active one is remembered for rollback."""
    ensure_bundled(session)
    mv = session.scalar(select(ModelVersion).where(ModelVersion.version == version))
    if mv is None:
        known = ", ".join(v.version for v in list_versions(session))
        raise ModelVersionError(f"no model version {version!r}; known versions: {known}. `radar models list` shows them.")
    if mv.artifact_path == SUPERSEDED:
        raise ModelVersionError(f"{version} was shipped with an earlier release and its file has been replaced by "
                                f"{_bundled_info()['version']}; activate that one or a version trained with `radar train`")
    if mv.artifact_path != BUNDLED and not Path(mv.artifact_path).exists():
        raise ModelVersionError(f"the artifact of {version} is missing ({mv.artifact_path}); retrain with `radar train`")
    current = session.scalar(select(ModelVersion).where(ModelVersion.active.is_(True)))
    if current is not None and current.id == mv.id:
        return mv
    if current is not None:
        current.active = False
        session.flush()  # the unique partial index allows one active row at a time
        if _remember:
            mv.previous_version = current.version
    mv.active = True
    session.flush()
    return mv


def rollback(session: Session) -> ModelVersion:
    """Activate the version that was active before the current one."""
    current = active_version(session)
    if not current.previous_version:
        raise ModelVersionError(f"{current.version} has no previous version to roll back to; "
                                "`radar models activate VERSION` picks any version")
    return activate(session, current.previous_version, _remember=False)


def artifact(mv: ModelVersion) -> str:
    return BUNDLED if mv.artifact_path == BUNDLED else mv.artifact_path


def resolve_model_path(cfg: Config, model: str | None = None) -> str:
    """Where to load the classifier from, without requiring a database:

    ``model`` given: ``"bundled"``, a file, or a version (looked up in ``data_dir/models``).
    Otherwise the active version when the database exists and is migrated, else the config's
    ``[classifier] model``.
    """
    if model:
        if model == BUNDLED or Path(model).exists():
            return model
        candidate = models_dir(cfg) / f"{model}.joblib"
        if candidate.exists():
            return str(candidate)
        if model == _bundled_info()["version"]:
            return BUNDLED
        return model  # let the loader say it is missing
    url = cfg.database_url
    db_usable = not url.startswith("sqlite:///") or Path(url.removeprefix("sqlite:///")).exists()
    if db_usable:
        try:
            from radar import migrate
            from radar.db import session_scope

            if migrate.is_current(url):
                with session_scope(url) as s:
                    mv = s.scalar(select(ModelVersion).where(ModelVersion.active.is_(True)))
                    if mv is not None:
                        return artifact(mv)
        except Exception:  # noqa: BLE001 - no reachable database: classify works without one
            pass
    configured = cfg.settings.classifier.model
    if configured == BUNDLED:
        return BUNDLED
    return resolve_model_path(cfg, configured)


def label_examples(session: Session) -> list:
    """The dashboard's labels as training examples (latest label per mention wins)."""
    from radar.classify.dataset import Example

    rows = session.execute(select(Label, Mention).join(Mention, Mention.id == Label.mention_id).order_by(Label.id)).all()
    latest: dict[int, tuple[Label, Mention]] = {}
    for lab, m in rows:
        latest[m.id] = (lab, m)
    return [Example(f"mention:{m.id}", m.title or "", m.body or "", int(lab.label), lab.intent or ("none" if lab.label == 0 else None),
                    "labels", m.language, 0, True) for lab, m in latest.values()]


def _worse(new: dict, old: dict) -> list[str]:
    reasons = []
    for k in ("f1", "pr_auc"):
        if k in old and new.get(k, 0.0) < old[k] - TOLERANCE:
            reasons.append(f"{k} {new.get(k, 0.0):.3f} < active {old[k]:.3f}")
    return reasons


def train_and_register(session: Session, cfg: Config, data_dir: str | None = None, activate: bool = True,
                       progress: Callable[[str], None] | None = None, max_per_source: int | None = None,
                       version: str | None = None) -> tuple[ModelVersion, str]:
    """Retrain on the shipped data plus the ``labels`` table, evaluate the new and the active
    model on the same evaluation split, store the new version, and activate it unless it is
    worse (then :class:`TrainRefused` is raised after the version is stored, inactive)."""
    from radar.classify import dataset, train
    from radar.classify.classifier import BUNDLED_MODEL, shared_analyzer
    from radar.classify.model import load_model, save_model

    step = progress or (lambda _s: None)
    if not dataset.available(data_dir):
        raise FileNotFoundError(f"training data not found in {dataset.posts_dir(data_dir)}; pass --data or set RADAR_SHARED_DATA")
    tr, ev, _test = train.split(dataset.load_all(data_dir))
    ltr, lev, _ = train.split(label_examples(session))
    if max_per_source:  # quick runs (tests): few examples per source and label, hand labels included
        tr = train.cap(tr, max_per_source, keep_hand=False)
        ev = train.cap(ev, max_per_source, keep_hand=False)
    else:
        tr = train.cap(tr)
    tr, ev = tr + ltr, ev + lev
    step("load")
    analyzer = shared_analyzer()
    model = train.train_on(tr, analyzer, progress=step)
    model.version = version or time.strftime("%Y-%m-%dT%H-%M-%S", time.gmtime())
    settings = cfg.settings.classifier  # compared as they will be used: the configured threshold and floor
    new_figs = train.evaluate_model(model, analyzer, ev, n_boot=200, threshold=settings.request_threshold,
                                    direct_floor=settings.direct_request_floor,
                                    threshold_by_language=settings.request_threshold_by_language)
    current = active_version(session)
    old_model = load_model(BUNDLED_MODEL if current.artifact_path == BUNDLED else current.artifact_path)
    old_figs = train.evaluate_model(old_model, analyzer, ev, n_boot=200, threshold=settings.request_threshold,
                                    direct_floor=settings.direct_request_floor,
                                    threshold_by_language=settings.request_threshold_by_language)
    step("evaluate")
    model.metrics = {"evaluation": new_figs}
    path = models_dir(cfg) / f"{model.version}.joblib"
    save_model(model, path)
    step("saved")
    reasons = _worse(new_figs.get("all", {}), old_figs.get("all", {}))
    mv = ModelVersion(version=model.version, artifact_path=str(path), metrics=json.loads(json.dumps(model.metrics, default=float)),
                      active=False, notes=None)
    session.add(mv)
    session.flush()
    n_labels = sum(1 for e in tr if e.source == "labels")
    report = (f"new model {model.version}: {len(tr)} training examples ({n_labels} from labels); evaluation split "
              f"F1 {new_figs['all']['f1']:.3f} PR-AUC {new_figs['all']['pr_auc']:.3f}; active {current.version}: "
              f"F1 {old_figs['all']['f1']:.3f} PR-AUC {old_figs['all']['pr_auc']:.3f}")
    if reasons:
        mv.notes = "not activated: worse than " + current.version + " (" + "; ".join(reasons) + ")"
        session.commit()
        raise TrainRefused(f"{report}\nNot activated: the new model is worse than the active one ({'; '.join(reasons)}). "
                           f"It is stored as {model.version}; `radar models activate {model.version}` overrides.")
    if activate:
        globals()["activate"](session, model.version)
        report += f"\nactivated {model.version} (rollback: `radar models rollback`)"
    else:
        report += f"\nnot activated (--no-activate); `radar models activate {model.version}`"
    return mv, report
