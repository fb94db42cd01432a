#pragma once
// Core training events as Qt metatypes, so they travel in signals and QVariants.
#include "training/RunQueue.h"
#include "training/Trainer.h"

#include <QMetaType>
#include <QVector>

Q_DECLARE_METATYPE(rm::StepEvent)
Q_DECLARE_METATYPE(rm::EpochEvent)
Q_DECLARE_METATYPE(QVector<rm::StepEvent>)
