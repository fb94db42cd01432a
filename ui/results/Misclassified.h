#pragma once
// The galaxies a run got wrong at its threshold: false positives (class 0 scored at or above the threshold,
// as core's metrics count a positive prediction) and false negatives (class 1 scored below it), each list
// most confident first: false positives by score descending, false negatives by score ascending.
#include "results/RunResults.h"

#include <QStringList>

#include <vector>

namespace rm::ui {

struct Misclassified
{
    std::vector<RunPrediction> falsePositives;
    std::vector<RunPrediction> falseNegatives;
};

// Only predictions of the given splits (e.g. {"test"} or {"test", "val"}) count.
Misclassified findMisclassified(const std::vector<RunPrediction>& predictions, double threshold,
                                const QStringList& splits);

} // namespace rm::ui
