#pragma once
// Orders galaxies for hand review, where a human label teaches the most: those a run is least sure about
// (score nearest its threshold), or those the finished runs disagree on most (largest spread of scores).
#include "selection/GalaxyId.h"

#include <QString>

#include <vector>

namespace rm::ui {

struct RunPrediction;

struct ReviewItem
{
    GalaxyId galaxy;
    double key = 0;    // |score - threshold|, or the standard deviation of the scores
    double score = 0;  // the run's score, or the mean score over the runs
    double spread = 0; // max - min score over the runs (0 for one run); a mined candidate's TTA spread
    int runs = 1;      // how many runs scored the galaxy
    int label = -1;    // the target set's class (-1 when runs disagree on it)
    QString note;      // why it is queued, when the order is not by score (a label conflict)
};

// Every scored galaxy, the one whose score is nearest threshold first.
std::vector<ReviewItem> orderByThreshold(const std::vector<RunPrediction>& predictions, double threshold);

// Galaxies scored by at least two of the runs, largest (population) standard deviation of their scores
// first.
std::vector<ReviewItem> orderByDisagreement(const std::vector<const std::vector<RunPrediction>*>& runs);

} // namespace rm::ui
