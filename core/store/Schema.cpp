#include "store/Schema.h"

namespace rm::schema {

// Catalog rows live in one SQL table per catalog (cat_<id>) with the catalog's own typed columns, so that
// filters like `z < 0.05 and OV != ''` run as SQL over real columns and a million rows stay fast.
const char* const kVersion1 = R"SQL(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE catalogs(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  source_path TEXT NOT NULL,
  format TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'other' CHECK(role IN ('other','rings','images','parent','labelled')),
  label_column TEXT NOT NULL DEFAULT '',
  position_kind TEXT NOT NULL,
  ra_column TEXT NOT NULL,
  dec_column TEXT NOT NULL,
  row_count INTEGER NOT NULL,
  skipped_rows INTEGER NOT NULL DEFAULT 0,
  table_name TEXT NOT NULL,
  imported_at TEXT NOT NULL);

CREATE TABLE catalog_columns(
  catalog_id INTEGER NOT NULL REFERENCES catalogs(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL CHECK(type IN ('integer','real','text')),
  unit TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(catalog_id, position));

-- Rows left out of an import, with why, so nothing is lost silently.
CREATE TABLE import_issues(
  catalog_id INTEGER NOT NULL REFERENCES catalogs(id) ON DELETE CASCADE,
  source_row INTEGER NOT NULL,
  column_name TEXT NOT NULL,
  reason TEXT NOT NULL);

CREATE TABLE crossmatches(
  id INTEGER PRIMARY KEY,
  catalog_a INTEGER NOT NULL REFERENCES catalogs(id) ON DELETE CASCADE,
  catalog_b INTEGER NOT NULL REFERENCES catalogs(id) ON DELETE CASCADE,
  radius_arcsec REAL NOT NULL,
  matched_rows INTEGER NOT NULL,
  pair_count INTEGER NOT NULL,
  created_at TEXT NOT NULL);

CREATE TABLE crossmatch_pairs(
  crossmatch_id INTEGER NOT NULL REFERENCES crossmatches(id) ON DELETE CASCADE,
  row_a INTEGER NOT NULL,
  row_b INTEGER NOT NULL,
  separation_arcsec REAL NOT NULL,
  is_nearest INTEGER NOT NULL,
  PRIMARY KEY(crossmatch_id, row_a, row_b)) WITHOUT ROWID;

CREATE TABLE target_sets(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  params_json TEXT NOT NULL,
  report_json TEXT NOT NULL,
  created_at TEXT NOT NULL);

-- One galaxy of a target set: a row of some catalog (where its image comes from), its class and split.
CREATE TABLE targets(
  target_set_id INTEGER NOT NULL REFERENCES target_sets(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  catalog_id INTEGER NOT NULL REFERENCES catalogs(id),
  row INTEGER NOT NULL,
  ra REAL NOT NULL,
  dec REAL NOT NULL,
  label INTEGER NOT NULL CHECK(label IN (0, 1)),
  split TEXT NOT NULL CHECK(split IN ('train','val','test')),
  origin TEXT NOT NULL,
  PRIMARY KEY(target_set_id, idx)) WITHOUT ROWID;
CREATE INDEX targets_by_row ON targets(catalog_id, row);

-- Hand labels, append-only: the current label of a galaxy is its latest event; undo appends the previous value.
CREATE TABLE label_events(
  id INTEGER PRIMARY KEY,
  catalog_id INTEGER NOT NULL REFERENCES catalogs(id) ON DELETE CASCADE,
  row INTEGER NOT NULL,
  ra REAL NOT NULL,
  dec REAL NOT NULL,
  label TEXT CHECK(label IS NULL OR label IN ('ring','not_ring','unsure')),
  ring_type TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL DEFAULT 'set' CHECK(action IN ('set','undo','clear')),
  author TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE INDEX label_events_by_row ON label_events(catalog_id, row, id);

-- Where a catalog's images come from: {"kind":"folder","dir":..,"template":"{iauname}.jpg"}, a FITS folder,
-- or a cutout service ({"kind":"legacysurvey","layer":"ls-dr10","pixscale":0.262,"size":256}).
CREATE TABLE image_sources(
  catalog_id INTEGER PRIMARY KEY REFERENCES catalogs(id) ON DELETE CASCADE,
  spec_json TEXT NOT NULL);

-- Download state of every galaxy asked of a cutout service: cached (with its file) or failed (with why).
CREATE TABLE cutout_status(
  source_key TEXT NOT NULL,
  catalog_id INTEGER NOT NULL REFERENCES catalogs(id) ON DELETE CASCADE,
  row INTEGER NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('pending','cached','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  cache_path TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL,
  PRIMARY KEY(source_key, catalog_id, row)) WITHOUT ROWID;

-- Decoded-image caches: a packed uint8 file beside the project, one fixed-size record per target.
CREATE TABLE image_caches(
  id INTEGER PRIMARY KEY,
  target_set_id INTEGER NOT NULL REFERENCES target_sets(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  channels INTEGER NOT NULL,
  record_count INTEGER NOT NULL,
  params_json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE(target_set_id, width, height, channels));

-- Experiments, runs and their results (filled by the training engine).
CREATE TABLE experiments(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  matrix_json TEXT NOT NULL,
  created_at TEXT NOT NULL);

CREATE TABLE runs(
  id INTEGER PRIMARY KEY,
  experiment_id INTEGER REFERENCES experiments(id) ON DELETE CASCADE,
  cell_key TEXT NOT NULL,
  config_json TEXT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('queued','running','done','failed','cancelled')),
  error TEXT NOT NULL DEFAULT '',
  weights_path TEXT NOT NULL DEFAULT '',
  weights_sha256 TEXT NOT NULL DEFAULT '',
  device TEXT NOT NULL DEFAULT '',
  started_at TEXT,
  finished_at TEXT,
  UNIQUE(experiment_id, cell_key));

CREATE TABLE epochs(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  train_loss REAL,
  val_loss REAL,
  val_auc REAL,
  learning_rate REAL,
  seconds REAL,
  PRIMARY KEY(run_id, epoch)) WITHOUT ROWID;

CREATE TABLE metrics(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  split TEXT NOT NULL,
  name TEXT NOT NULL,
  value REAL,
  ci_low REAL,
  ci_high REAL,
  PRIMARY KEY(run_id, split, name)) WITHOUT ROWID;

CREATE TABLE predictions(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  target_idx INTEGER NOT NULL,
  split TEXT NOT NULL,
  label INTEGER,
  score REAL NOT NULL,
  PRIMARY KEY(run_id, target_idx)) WITHOUT ROWID;
)SQL";

// Columns are added, never rebuilt, so a v1 project keeps every row it had. Curves are JSON arrays: a few
// hundred points per split are read whole for a plot and never queried point by point.
const char* const kVersion2 = R"SQL(
CREATE TABLE run_curves(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  split TEXT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('roc','pr')),
  points_json TEXT NOT NULL,
  PRIMARY KEY(run_id, split, kind)) WITHOUT ROWID;

ALTER TABLE runs ADD COLUMN target_set TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN mode TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN work_dir TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN epochs_run INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN best_epoch INTEGER;
ALTER TABLE runs ADD COLUMN seconds REAL;
ALTER TABLE runs ADD COLUMN images_per_second REAL;
ALTER TABLE runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX runs_by_state ON runs(state);

ALTER TABLE epochs ADD COLUMN best INTEGER NOT NULL DEFAULT 0;

ALTER TABLE predictions ADD COLUMN catalog_id INTEGER;
ALTER TABLE predictions ADD COLUMN row INTEGER;
)SQL";

const char* const kVersion4 = R"SQL(
CREATE TABLE cv_folds(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  repeat INTEGER NOT NULL,
  fold INTEGER NOT NULL,
  train_count INTEGER NOT NULL,
  val_count INTEGER NOT NULL,
  test_count INTEGER NOT NULL,
  roc_auc REAL,
  epochs INTEGER NOT NULL,
  best_epoch INTEGER NOT NULL,
  seconds REAL NOT NULL,
  PRIMARY KEY(run_id, repeat, fold)) WITHOUT ROWID;

CREATE TABLE cv_predictions(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  repeat INTEGER NOT NULL,
  target_idx INTEGER NOT NULL,
  fold INTEGER NOT NULL,
  label INTEGER NOT NULL,
  score REAL NOT NULL,
  PRIMARY KEY(run_id, repeat, target_idx)) WITHOUT ROWID;
)SQL";

const char* const kVersion5 = R"SQL(
-- One active-learning round: the base target set rebuilt with the current hand labels as target set
-- `target_set`, the source run's cell retrained on it as `run_id`. labels_added: hand labels the source run's
-- target set did not reflect (a class flipped, or removed as unsure); label_event_id: the newest label event
-- when the round began. cv_*: the new run's cross-validated ROC AUC and interval; prev_cv_*: the source run's.
CREATE TABLE active_rounds(
  id INTEGER PRIMARY KEY,
  base_target_set TEXT NOT NULL,
  round INTEGER NOT NULL,
  target_set TEXT NOT NULL,
  source_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  experiment TEXT NOT NULL,
  labels_added INTEGER NOT NULL,
  labels_flipped INTEGER NOT NULL,
  labels_removed INTEGER NOT NULL,
  label_event_id INTEGER NOT NULL,
  targets INTEGER NOT NULL,
  cv_auc REAL, cv_low REAL, cv_high REAL,
  prev_cv_auc REAL, prev_cv_low REAL, prev_cv_high REAL,
  seconds REAL NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE(base_target_set, round));
)SQL";

const char* const kVersion6 = R"SQL(
ALTER TABLE epochs ADD COLUMN unlabelled_loss REAL;
ALTER TABLE epochs ADD COLUMN mask_rate REAL;
)SQL";

} // namespace rm::schema
