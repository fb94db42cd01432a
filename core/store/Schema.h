#pragma once
// The project schema, one place for all of it. Version 1 is created whole; later versions add migrations.
namespace rm::schema {

extern const char* const kVersion1;
// Version 2: ROC/PR curves per run and split, run bookkeeping the training engine needs (target set, model,
// mode, timing, working folder), the best-epoch flag, and the catalog row behind every prediction.
extern const char* const kVersion2;
// Version 4: cross-validation folds of a run (one row per repeat and fold, written when the fold's model is
// done) and every galaxy's out-of-fold score per repeat. (Version 3 only loosened a CHECK; see migrate().)
extern const char* const kVersion4;
// Version 5: active-learning rounds (training/ActiveLearning.h): per round, the target set rebuilt with the
// hand labels, the run retrained on it, how many labels it added and the cross-validated ROC AUC before and
// after.
extern const char* const kVersion5;
// Version 6: per epoch, a semi-supervised run's unlabelled loss and pseudo-label mask rate (NULL otherwise).
extern const char* const kVersion6;

} // namespace rm::schema
